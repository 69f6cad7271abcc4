"""Liveness for container orchestrators: ``python -m bot.telegram.health``.

A polling bot has no port to probe, and "the process exists" says nothing about whether
it still reaches Telegram. So the running bot touches a heartbeat file (next to the
database) every ``INTERVAL`` seconds, but only while its Bot API calls keep succeeding
(in webhook mode, while its event loop runs). The check fails when the file is older
than ``MAX_AGE``. The file holds no data; only its modification time matters.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

HEARTBEAT_FILE = "heartbeat"
INTERVAL = 30.0
MAX_AGE = 120.0


def heartbeat_path(db_path: Path) -> Path:
    return db_path.parent / HEARTBEAT_FILE


async def beat(path: Path, healthy: Callable[[], bool], interval: float = INTERVAL) -> None:
    """Touch ``path`` every ``interval`` seconds while ``healthy()``; runs until cancelled."""
    while True:
        if healthy():
            path.touch()
        await asyncio.sleep(interval)


def check(path: Path, max_age: float = MAX_AGE) -> bool:
    try:
        return time.time() - path.stat().st_mtime <= max_age
    except FileNotFoundError:
        return False


def main() -> int:
    db = Path(os.environ.get("LURECHECK_DB") or "data/lurecheck.sqlite3")
    ok = check(heartbeat_path(db))
    print("healthy" if ok else "unhealthy: no recent successful contact with the Bot API")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
