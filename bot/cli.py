"""The `lurecheck` command line (also `python -m bot`).

Each feature registers its own subcommand from its own module (listed in
SUBCOMMAND_MODULES), so this file stays a table of contents. Those modules keep
heavy imports inside their command functions: `lurecheck check` must start fast.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from bot.config import locales_dir_from_env, rules_dir_from_env

SUBCOMMAND_MODULES: tuple[str, ...] = (
    "bot.packs.cli",
    "bot.console",
    "bot.telegram.cli",
    "bot.stats.cli",
    "bot.evaluate",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lurecheck",
        description="Check job offers for recruitment-lure warning signs.",
    )
    parser.add_argument(
        "--rules-dir",
        type=Path,
        default=None,
        help="rule packs folder (default: $LURECHECK_RULES_DIR or ./rules)",
    )
    parser.add_argument(
        "--locales-dir",
        type=Path,
        default=None,
        help="translations folder (default: $LURECHECK_LOCALES_DIR or ./locales)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _register_check(sub)
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def rules_dir(args: argparse.Namespace) -> Path:
    return args.rules_dir or rules_dir_from_env()


def locales_dir(args: argparse.Namespace) -> Path:
    return args.locales_dir or locales_dir_from_env()


def load_knowledge_or_exit(args: argparse.Namespace) -> Any:
    """The loaded Knowledge, or exit 2 printing every pack problem (never a traceback)."""
    from bot.core.knowledge import load_knowledge
    from bot.packs.errors import PackError

    try:
        return load_knowledge(rules_dir(args), locales_dir(args))
    except PackError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print(f"lurecheck: {len(exc.issues)} problem(s) in the rule packs", file=sys.stderr)
        raise SystemExit(2) from None


def _register_check(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser("check", help="check one message (or a batch) for warning signs")
    check.add_argument(
        "text", nargs="?", default="-", help="the message; '-' or nothing reads standard input"
    )
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.add_argument(
        "--batch",
        type=Path,
        metavar="FILE.jsonl",
        help="JSON lines with a 'text' (and optional 'id'); one result per line",
    )
    check.add_argument(
        "--reply", action="store_true", help="print the exact reply a user would get"
    )
    check.add_argument(
        "--lang",
        choices=["ko", "en", "th", "vi"],
        help="reply language (default: the message's own)",
    )
    check.set_defaults(func=_cmd_check)


def _cmd_check(args: argparse.Namespace) -> int:
    kb = load_knowledge_or_exit(args)
    if args.batch:
        return _check_batch(kb.engine, args.batch, sys.stdout)
    text = sys.stdin.read() if args.text == "-" else args.text
    result = kb.engine.analyse(text)
    if args.reply:
        from bot.core.reply import compose_reply

        reply = compose_reply(result, args.lang or result.language, kb)
        print("\n\n".join(reply.parts))
    elif args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print(format_result(result))
    return 0


def _batch_lines(path: Path) -> Iterator[str]:
    if str(path) == "-":
        yield from sys.stdin
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        yield from handle


def _check_batch(engine: Any, path: Path, out: IO[str]) -> int:
    """One result per input line, in order; a bad line yields an error object, not a stop."""
    bad = 0
    for number, line in enumerate(_batch_lines(path), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = row["text"]
            if not isinstance(text, str):
                raise TypeError("'text' must be a string")
        except (ValueError, KeyError, TypeError) as exc:
            bad += 1
            out.write(json.dumps({"line": number, "error": f"{type(exc).__name__}: {exc}"}) + "\n")
            continue
        result = engine.analyse(text).to_json()
        if isinstance(row, dict) and "id" in row:
            result = {"id": row["id"], **result}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    if bad:
        print(f"lurecheck: {bad} line(s) could not be read", file=sys.stderr)
    return 1 if bad else 0


def format_result(result: Any) -> str:
    lines = [
        f"Risk: {result.risk.value.upper()} (score {result.score}) · language: "
        f"{result.language} · destinations: {', '.join(result.destinations) or '-'}"
    ]
    for finding in result.findings:
        quotes = ", ".join(f'"{span.text}"' for span in finding.evidence)
        lines.append(f"  - {finding.rule} [{finding.category}, {finding.severity}]: {quotes}")
    if not result.findings:
        lines.append("  No known warning signs found. That does not make an offer trustworthy.")
    if result.truncated:
        lines.append("  (message cut to the first 20,000 characters)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
