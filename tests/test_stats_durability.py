"""kill -9 in the middle of a burst leaves a sound file holding a prefix of the events."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOTAL = 1_000_000

# Event i carries the marker rule r000000i; the store is flushed every 37 events and says
# "bursting" after event argv[2], so the kill lands at an arbitrary point of the burst,
# often inside a commit.
WRITER = f"""
import asyncio, sys
from datetime import date
from pathlib import Path
from bot.stats.events import CheckEvent
from bot.stats.store import Store

async def main() -> None:
    store = await Store.open(
        Path(sys.argv[1]), b"kill-test-secret-0123456789",
        flush_interval=3600, batch_size=10**9,
    )
    for i in range(1, {TOTAL} + 1):
        store.record(CheckEvent(
            day=date(2026, 1, 1), language="en", kind="text", risk="low",
            rules=(f"r{{i:07d}}",),
        ))
        if i % 37 == 0:
            await store.flush()
            if i == int(sys.argv[2]):
                print("bursting", flush=True)

asyncio.run(main())
"""


@pytest.mark.parametrize("round_", range(3))
def test_sigkill_mid_burst_leaves_a_prefix(tmp_path: Path, round_: int) -> None:
    db = tmp_path / "burst.sqlite3"
    announce = 37 * 30 * (round_ + 1)
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(announce)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "bursting"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute(
            "SELECT key, n FROM counts WHERE metric = 'rule' ORDER BY key"
        ).fetchall()
        (checks,) = conn.execute("SELECT n FROM counts WHERE metric = 'checks'").fetchone()
    finally:
        conn.close()
    markers = [key for key, _ in rows]
    recorded = len(markers)
    assert announce <= recorded < TOTAL  # killed mid-burst, after the announced point
    assert markers == [f"r{i:07d}" for i in range(1, recorded + 1)]  # a prefix, no gaps
    assert all(n == 1 for _, n in rows)
    assert checks == recorded  # the per-check counter belongs to the same transactions
    assert recorded % 37 == 0  # whole batches only
