"""Nothing that identifies a person reaches the database file, its WAL or the logs."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.stats.events import KINDS, LANGUAGES, RISKS, CheckEvent
from bot.stats.store import Store

SECRET = b"privacy-secret-0123456789abcdef"
USER_IDS = [5_000_000_000 + i * 7_919_993 for i in range(300)]  # 10-digit, 52-bit-ish ids
RULE_IDS = [f"marker-rule-{i:04d}" for i in range(300)]


def forms(user_id: int) -> list[bytes]:
    """Every way a careless implementation would store an id."""
    width = (user_id.bit_length() + 7) // 8
    return [
        str(user_id).encode(),
        f"{user_id:x}".encode(),
        f"{user_id:X}".encode(),
        user_id.to_bytes(width, "big"),  # SQLite stores INTEGER big-endian, minimal width
        user_id.to_bytes(8, "big"),
    ]


def leaks(blob: bytes) -> list[int]:
    return [uid for uid in USER_IDS if any(form in blob for form in forms(uid))]


async def test_no_user_id_in_db_wal_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "privacy.sqlite3"
    wal = tmp_path / "privacy.sqlite3-wal"
    store = await Store.open(db, SECRET, flush_interval=3600)
    for i, (user_id, rule) in enumerate(zip(USER_IDS, RULE_IDS, strict=True)):
        day = date(2026, 1, 1) + timedelta(days=i % 40)
        referral = await store.note_contact(user_id, f"camp-{i % 7}", day)
        await store.set_language(user_id, LANGUAGES[i % 4])
        store.record(
            CheckEvent(
                day=day,
                language=LANGUAGES[i % 4],
                kind=KINDS[i % 4],
                risk=RISKS[i % 4],
                rules=(rule,),
                destinations=("KH",),
                referral=referral,
            )
        )
    await store.flush()
    for user_id in USER_IDS[:50]:
        assert await store.forget(user_id)

    # While the bot runs, recent writes live in the WAL: scan both files.
    live = db.read_bytes() + wal.read_bytes()
    assert wal.stat().st_size > 0
    assert all(rule.encode() in live for rule in RULE_IDS)  # the scan does see the data
    assert leaks(live) == []
    assert SECRET not in live
    await store.close()

    closed = db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert all(rule.encode() in closed for rule in RULE_IDS)
    assert leaks(closed) == []
    assert SECRET not in closed
    logged = "\n".join(record.getMessage() for record in caplog.records).encode()
    assert leaks(logged) == []


def test_the_scan_would_catch_an_id_stored_as_integer_or_text(tmp_path: Path) -> None:
    import sqlite3

    for value in (USER_IDS[3], str(USER_IDS[4]), f"{USER_IDS[5]:x}"):
        path = tmp_path / f"careless-{value}.sqlite3"
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE t (v)")
            conn.execute("INSERT INTO t VALUES (?)", (value,))
        conn.close()
        assert leaks(path.read_bytes()) != []
