"""A bot process behind the router (``shards.py``): ``python -m bot.telegram.worker``.

The worker runs the same Application as a single-process bot, minus the updater. Its
standard input carries one JSON line of configuration, then one Telegram update per
line, all for the chats the router assigned to it; it answers through its own
connections to the Bot API. Standard output is the way back: the line ``reload`` asks the
router to reload the other workers after an admin's ``/reload`` here.

It stops when its input ends, after answering every update it was given and flushing the
counts. SIGHUP reloads the rule packs. SIGINT and SIGTERM are ignored: shutdown belongs to
the router (a Ctrl-C in a terminal reaches every process of the group), which closes the
input; if the router is killed, the input ends just the same.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from telegram import Update

from bot.config import Settings
from bot.telegram import handlers as h
from bot.telegram.app import (
    GC_THRESHOLDS,
    build_application,
    on_shutdown,
    on_startup,
    use_uvloop_if_installed,
)
from bot.telegram.logsetup import setup_logging

# Named, not __name__: run with -m, this module is "__main__".
log = logging.getLogger("bot.telegram.worker")

RELOAD_REQUEST = b"reload\n"
# A 4,096-character message with entities and a forward header stays far below this.
MAX_LINE = 4 * 1024 * 1024


def encode_config(settings: Settings, tuning: h.Tuning, shard: int) -> bytes:
    """The first input line. Over a pipe, so the token never shows in ``ps``."""
    fields = dataclasses.asdict(settings)
    fields.update(db_path=str(settings.db_path), rules_dir=str(settings.rules_dir),
                  locales_dir=str(settings.locales_dir), admin_ids=sorted(settings.admin_ids))
    return json.dumps({"settings": fields, "tuning": dataclasses.asdict(tuning),
                       "shard": shard}).encode() + b"\n"


def decode_config(line: bytes) -> tuple[Settings, h.Tuning, int]:
    config = json.loads(line)
    fields: dict[str, Any] = config["settings"]
    settings = Settings(**{**fields, "db_path": Path(fields["db_path"]),
                           "rules_dir": Path(fields["rules_dir"]),
                           "locales_dir": Path(fields["locales_dir"]),
                           "admin_ids": frozenset(fields["admin_ids"])})
    return settings, h.Tuning(**config["tuning"]), int(config["shard"])


async def _stdin() -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


def _ask_router_to_reload() -> None:
    sys.stdout.buffer.write(RELOAD_REQUEST)
    sys.stdout.buffer.flush()


class EarlyReload:
    """SIGHUP before the Application handles it: remembered, and done once it can be.

    The packs being loaded at that moment may predate the edit the operator signalled.
    """

    def __init__(self) -> None:
        self.asked = False

    def __call__(self, signum: int, frame: object) -> None:
        self.asked = True


async def serve(reader: asyncio.StreamReader, early: EarlyReload) -> None:
    settings, tuning, shard = decode_config(await reader.readline())
    setup_logging(settings.log_level, token=settings.token)
    app = build_application(settings, tuning, worker=True)
    svc: h.Services = app.bot_data[h.SERVICES_KEY]
    svc.reloaded_by_admin = _ask_router_to_reload
    await app.initialize()
    try:
        await on_startup(app)  # from here on, SIGHUP reloads directly
        await app.start()
        if early.asked:
            await h.reload_packs(svc)
        log.info("worker %d ready", shard)
        try:
            while line := await reader.readline():
                try:
                    update = Update.de_json(json.loads(line), app.bot)
                except (ValueError, KeyError, TypeError):
                    log.error("worker %d: unreadable update line skipped", shard)
                    continue
                await app.update_queue.put(update)
        finally:
            await app.stop()  # answers everything queued before returning
    finally:
        await on_shutdown(app)
        await app.shutdown()
    log.info("worker %d stopped", shard)


async def _main(early: EarlyReload) -> None:
    await serve(await _stdin(), early)


def main() -> None:
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)
    early = EarlyReload()
    signal.signal(signal.SIGHUP, early)
    gc.set_threshold(*GC_THRESHOLDS)
    use_uvloop_if_installed()
    asyncio.run(_main(early))


if __name__ == "__main__":
    main()
