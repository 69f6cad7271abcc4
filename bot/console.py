"""A local console chat against the same core as the bot: works with no Telegram token.

Paste a message (several lines are fine), then an empty line; the bot's reply is
printed as plain text with its buttons numbered: `:2` presses button 2, as a tap
would in Telegram. `:lang ko|en|th|vi` switches the reply language, `:quit` or end
of input leaves.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r'<a href="([^"]+)">(.*?)</a>', re.S)


def html_to_text(markup: str) -> str:
    """Telegram HTML to terminal text: links keep their URL, other tags disappear."""
    markup = _LINK.sub(lambda m: f"{m.group(2)} ({html.unescape(m.group(1))})", markup)
    return html.unescape(_TAG.sub("", markup))


def _messages(stdin: IO[str], prompt: bool, stdout: IO[str]) -> Iterator[str]:
    lines: list[str] = []
    while True:
        if prompt and not lines:
            stdout.write("\n> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            if lines:
                yield "\n".join(lines)
            return
        line = line.rstrip("\n")
        if line.strip() or not lines:
            if line.strip():
                lines.append(line)
            continue
        yield "\n".join(lines)
        lines = []


def run_console(
    rules_dir: Path, locales_dir: Path, stdin: IO[str] = sys.stdin, stdout: IO[str] = sys.stdout
) -> int:
    from bot.core.knowledge import load_knowledge
    from bot.core.reply import (
        AbroadHelp,
        Button,
        SetLanguage,
        compose_abroad_help,
        compose_reply,
        parse_callback,
    )

    kb = load_knowledge(rules_dir, locales_dir)
    interactive = stdin.isatty()
    if interactive:
        stdout.write(
            "LureCheck console. Paste a job offer, then an empty line. "
            ":lang xx switches language, :quit leaves.\n"
        )
    lang: str | None = None
    last_result = None
    buttons: list[Button] = []
    for message in _messages(stdin, interactive, stdout):
        command = message.strip()
        if command == ":quit":
            break
        if command.startswith(":lang"):
            wanted = command.split()[-1]
            lang = wanted if wanted in {"ko", "en", "th", "vi"} else None
            stdout.write(f"reply language: {lang or 'automatic'}\n")
            continue
        if command[:1] == ":" and command[1:].isdigit():
            index = int(command[1:]) - 1
            action = parse_callback(buttons[index].data) if 0 <= index < len(buttons) else None
            if isinstance(action, AbroadHelp):
                reply = compose_abroad_help(action.lang, action.destinations, kb)
            elif isinstance(action, SetLanguage) and last_result is not None:
                lang = action.lang
                reply = compose_reply(last_result, lang, kb)
            else:
                stdout.write("no such button\n")
                continue
        else:
            last_result = kb.engine.analyse(message)
            reply = compose_reply(last_result, lang or last_result.language, kb)
        buttons = [button for row in reply.buttons for button in row]
        stdout.write("\n" + "\n\n".join(html_to_text(part) for part in reply.parts) + "\n")
        labels = "  ".join(f"[:{i}] {b.label}" for i, b in enumerate(buttons, start=1))
        stdout.write(f"\n{labels}\n" if labels else "")
        stdout.flush()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    console = sub.add_parser("console", help="chat with the checker locally (no Telegram needed)")
    console.set_defaults(func=_cmd_console)


def _cmd_console(args: argparse.Namespace) -> int:
    from bot.cli import locales_dir, rules_dir

    return run_console(rules_dir(args), locales_dir(args))
