"""Store behaviour: batching, settings, /forget, retention, migrations, keyed ids."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.stats.events import CheckEvent
from bot.stats.identity import pseudonym
from bot.stats.schema import SCHEMA_VERSION, SchemaError
from bot.stats.store import Store

SECRET = b"test-secret-0123456789abcdef"
DAY = date(2026, 3, 2)


def counts(db: Path) -> dict[tuple[str, str, str], int]:
    with sqlite3.connect(db) as conn:
        return {
            (d, m, k): n for d, m, k, n in conn.execute("SELECT day, metric, key, n FROM counts")
        }


def event(**overrides: object) -> CheckEvent:
    fields: dict[str, object] = {
        "day": DAY,
        "language": "ko",
        "kind": "forward",
        "risk": "high",
        "rules": ("free-travel", "pay-too-good"),
        "destinations": ("KH",),
        "referral": "ngo-a",
    }
    fields.update(overrides)
    return CheckEvent(**fields)  # type: ignore[arg-type]


async def test_record_is_counted_only_after_flush_and_close_flushes(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    store = await Store.open(db, SECRET, flush_interval=3600)
    store.record(event())
    store.record(event(risk="low", language="th", rules=(), referral=None))
    assert counts(db) == {}
    await store.flush()
    got = counts(db)
    assert got[("2026-03-02", "checks", "")] == 2
    assert got[("2026-03-02", "risk", "high")] == 1
    assert got[("2026-03-02", "risk_language", "low|th")] == 1
    assert got[("2026-03-02", "referral", "direct")] == 1
    assert got[("2026-03-02", "rule", "free-travel")] == 1
    assert got[("2026-03-02", "destination", "KH")] == 2
    store.record(event())
    await store.close()
    assert counts(db)[("2026-03-02", "checks", "")] == 3
    with pytest.raises(RuntimeError):
        store.record(event())


async def test_batch_size_wakes_the_background_flusher(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    async with await Store.open(db, SECRET, flush_interval=3600, batch_size=5) as store:
        for _ in range(5):
            store.record(event())
        for _ in range(1000):  # yield until the flusher has run; no wall-clock assumption
            if counts(db):
                break
            await store._conn.execute("SELECT 1")  # yields to the flusher task
        assert counts(db)[("2026-03-02", "checks", "")] == 5


def test_event_rejects_free_text_and_datetimes() -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="rules"):
        event(rules=("Come work in Poipet, 3000 USD!",))
    with pytest.raises(ValueError, match="referral"):
        event(referral="has space")
    with pytest.raises(ValueError, match="language"):
        event(language="fr")
    with pytest.raises(TypeError):
        event(day=datetime(2026, 3, 2, 10, 11))


def test_event_counts_a_repeated_rule_once() -> None:
    got = list(event(rules=("a-rule", "a-rule")).counters())
    assert got.count(("rule", "a-rule")) == 1


async def test_language_and_forget(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "s.sqlite3", SECRET) as store:
        assert await store.get_language(42) is None
        await store.set_language(42, "vi")
        await store.set_language(42, "th")
        assert await store.get_language(42) == "th"
        with pytest.raises(ValueError):
            await store.set_language(42, "xx")
        assert await store.forget(42) is True
        assert await store.get_language(42) is None
        assert await store.forget(42) is False
    with sqlite3.connect(tmp_path / "s.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM settings").fetchone() == (0,)


async def test_referral_is_attributed_at_first_contact_only(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    async with await Store.open(db, SECRET) as store:
        assert await store.note_contact(7, "ngo-a", DAY) == "ngo-a"
        assert await store.note_contact(7, "ngo-b", DAY + timedelta(days=1)) == "ngo-a"
        assert await store.note_contact(8, None, DAY) is None
        assert await store.note_contact(9, "bad code!", DAY) is None
    got = counts(db)
    assert got[("2026-03-02", "new_user", "ngo-a")] == 1
    assert got[("2026-03-02", "new_user", "direct")] == 2
    assert ("2026-03-03", "new_user", "ngo-b") not in got


async def test_purge_inactive_keeps_recent_users_and_counts(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    async with await Store.open(db, SECRET) as store:
        await store.note_contact(1, None, DAY - timedelta(days=181))
        await store.note_contact(2, None, DAY - timedelta(days=181))
        await store.note_contact(2, None, DAY - timedelta(days=10))  # came back: kept
        await store.note_contact(3, None, DAY - timedelta(days=180))  # exactly 180: kept
        store.record(event(day=DAY - timedelta(days=400)))
        assert await store.purge_inactive(DAY) == 1
        assert await store.purge_inactive(DAY) == 0
        await store.note_contact(1, "late", DAY)
        assert await store.note_contact(1, None, DAY) == "late"  # a new first contact
    assert counts(db)[("2025-01-26", "checks", "")] == 1


async def test_flusher_purges_inactive_settings(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    async with await Store.open(db, SECRET, flush_interval=3600, retention_days=0) as store:
        await store.note_contact(1, None, date(2000, 1, 1))
        store.record(event())
        store._wake.set()
        for _ in range(1000):  # yield to the flusher until it has run; no sleeps
            async with store._conn.execute("SELECT count(*) FROM settings") as cursor:
                if await cursor.fetchone() == (0,):
                    break
        else:
            pytest.fail("the flusher did not purge")
        assert counts(db)[("2026-03-02", "checks", "")] == 1


# -- keyed pseudonyms ---------------------------------------------------------------------


def test_pseudonym_is_keyed() -> None:
    other = b"another-secret-abcdefghijklmnop"
    assert pseudonym(SECRET, 123456789) == pseudonym(SECRET, 123456789)
    assert pseudonym(SECRET, 123456789) != pseudonym(other, 123456789)
    assert pseudonym(SECRET, 123456789) != pseudonym(SECRET, 123456780)
    assert len(pseudonym(SECRET, 1)) == 64


async def test_same_person_same_row_only_with_same_secret(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    async with await Store.open(db, SECRET) as store:
        await store.set_language(555, "en")
    async with await Store.open(db, SECRET) as store:
        assert await store.get_language(555) == "en"
    async with await Store.open(db, b"rotated-secret-abcdefghijklmnop") as store:
        assert await store.get_language(555) is None


# -- migrations ---------------------------------------------------------------------------

V1_SCHEMA = """
CREATE TABLE counts (
    day TEXT NOT NULL, metric TEXT NOT NULL, key TEXT NOT NULL,
    n INTEGER NOT NULL CHECK (n >= 0), PRIMARY KEY (day, metric, key)
) WITHOUT ROWID;
CREATE TABLE settings (uid TEXT PRIMARY KEY, language TEXT, referral TEXT) WITHOUT ROWID;
PRAGMA user_version = 1;
"""


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


async def test_migrates_an_empty_file(tmp_path: Path) -> None:
    db = tmp_path / "new" / "s.sqlite3"
    await (await Store.open(db, SECRET)).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert columns(conn, "settings") == ["uid", "language", "referral", "last_seen"]
        assert columns(conn, "counts") == ["day", "metric", "key", "n"]


async def test_migrates_a_v1_file_keeping_its_data(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript(V1_SCHEMA)
        conn.execute("INSERT INTO counts VALUES ('2025-12-01', 'checks', '', 41)")
        conn.execute("INSERT INTO settings VALUES (?, 'th', 'ngo-a')", (pseudonym(SECRET, 99),))
    async with await Store.open(db, SECRET, flush_interval=3600) as store:
        assert await store.get_language(99) == "th"
        assert await store.note_contact(99, "other", DAY) == "ngo-a"
        # The v1 row got a last_seen at upgrade time, so retention does not wipe it today.
        assert await store.purge_inactive(date.today()) == 0
        store.record(event(day=date(2025, 12, 1)))
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert "last_seen" in columns(conn, "settings")
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "settings_last_seen" in names
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert counts(db)[("2025-12-01", "checks", "")] == 42


async def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaError, match="newer"):
        await Store.open(db, SECRET)


_WORKER = """
import asyncio, sys
from datetime import date
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.stats.events import CheckEvent
from bot.stats.store import Store

async def main(db, first, people):
    store = await Store.open(Path(db), b"test-secret-0123456789abcdef", flush_interval=0.01)
    event = CheckEvent(day=date(2026, 3, 2), language="en", kind="text", risk="low",
                       rules=(), destinations=(), referral=None)

    async def person(user_id):
        await store.note_contact(user_id, None, event.day)
        await store.get_language(user_id)
        store.record(event)

    try:
        for start in range(first, first + people, 25):
            await asyncio.gather(*(person(u) for u in range(start, start + 25)))
    finally:
        await store.close()

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""


def test_two_processes_share_one_file_without_lock_errors(tmp_path: Path) -> None:
    """Bot workers (shards.py) open the same file and look people up concurrently.

    Each process interleaves many lookups and first contacts with its own frequent flushes
    while the other writes; none may fail with "database is locked", and every count and
    every person must be there afterwards.
    """
    db = tmp_path / "s.sqlite3"
    people = 1500
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, str(db), str(first), str(people)],
                              env=env, stderr=subprocess.PIPE, text=True)
             for first in (1, 1_000_001)]
    errors = [proc.communicate(timeout=120)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], errors
    assert not any("locked" in err for err in errors), errors
    assert counts(db)[("2026-03-02", "checks", "")] == 2 * people
    assert counts(db)[("2026-03-02", "new_user", "direct")] == 2 * people
