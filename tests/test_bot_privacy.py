"""Privacy, end to end (issue 6 acceptance): after a busy run at DEBUG logging, nothing
anyone sent, no user id (decimal or hex) and not the token is in the SQLite file, its WAL,
the guard file, the captured logs, or `lurecheck stats` output."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

from fake_bot_api import Fault, bot_message, group_chat
from support.bot_harness import HIGH_MARKER, TOKEN, Person, running_bot

from bot.config import PROJECT_ROOT
from bot.telegram.logsetup import cap_library_loggers, make_handler

LANGS = ("ko", "en", "th", "vi")


def _people() -> list[Person]:
    # Distinctive ids: long, non-round, spread over the 52-bit range Telegram uses.
    return [Person(7_315_904_221 + 104_729 * i, LANGS[i % 4]) for i in range(24)]


def _text(i: int) -> str:
    return (f"Zanzibarquokka{i:03d} salary 3{i:03d} USD free flight to Poipet, "
            f"contact wa.me/8551{i:07d} or @quokkarecruiter{i:03d}")


def _needles(people: list[Person], texts: list[str]) -> dict[str, bytes]:
    needles: dict[str, bytes] = {"token": TOKEN.encode(), "token-secret":
                                 TOKEN.split(":")[1].encode()}
    for person in people:
        needles[f"id {person.user_id}"] = str(person.user_id).encode()
        needles[f"hex id {person.user_id}"] = f"{person.user_id:x}".encode()
        needles[f"HEX id {person.user_id}"] = f"{person.user_id:X}".encode()
    for i, text in enumerate(texts):
        needles[f"text {i}"] = text.encode()
        needles[f"marker {i}"] = f"Zanzibarquokka{i:03d}".encode()
        needles[f"handle {i}"] = f"quokkarecruiter{i:03d}".encode()
    return needles


def _data_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


async def test_nothing_identifying_reaches_disk_logs_or_reports(tmp_path: Path) -> None:
    people = _people()
    texts = [_text(i) for i in range(len(people))]
    log_stream = io.StringIO()
    handler = make_handler(log_stream, TOKEN)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    cap_library_loggers(logging.DEBUG)
    snapshots: dict[str, bytes] = {}
    try:
        async with running_bot(tmp_path) as h:
            chat = group_chat(-1_003_141_592_653)
            h.api.set_admins(chat["id"], {people[0].user_id})
            h.api.inject("sendMessage", Fault("status", 500))
            h.api.inject("getUpdates", Fault("drop"))
            for i, person in enumerate(people):
                h.updates.command(person, f"/start ngo-{i % 3}")
                message = h.updates.text(person, texts[i], forward=i % 2 == 0)
                if i % 5 == 0:
                    (reply,) = await h.answered(message)
                    h.updates.callback(person, bot_message(reply), "lang:th")
            h.updates.command(people[0], "/guard on", chat=chat)
            h.updates.text(people[1], f"{texts[1]} {HIGH_MARKER}", chat=chat)
            h.updates.command(people[2], "/forget")
            await h.settle()
            await h.drain()
            await h.app.bot_data["lurecheck"].store.flush()
            snapshots = {f"running/{k}": v for k, v in _data_files(tmp_path / "data").items()}
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    files = {**snapshots, **_data_files(tmp_path / "data")}
    assert any(name.endswith("-wal") for name in files), "WAL not captured while running"
    stats = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--db", str(tmp_path / "data" /
                                                          "lurecheck.sqlite3"),
         "--format", "json", "--k", "2"],
        capture_output=True, cwd=PROJECT_ROOT, timeout=120,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert stats.returncode == 0, stats.stderr.decode()[-500:]
    logs = log_stream.getvalue()
    assert "Processing update" not in logs  # PTB dumps whole updates at DEBUG
    assert logs.count("DEBUG bot.telegram.handlers: checked") >= len(people)  # DEBUG was on
    assert "sendMessage: HTTP 500, retry" in logs
    haystacks = {**files, "logs": logs.encode(), "stats": stats.stdout + stats.stderr}
    leaks = [f"{what} in {where}" for what, needle in _needles(people, texts).items()
             for where, data in haystacks.items() if needle in data]
    assert leaks == []
    assert b"ngo-1" in stats.stdout  # the report did have data to show
