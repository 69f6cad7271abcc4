"""The one place where LureCheck writes what it remembers.

Counters are batched in memory by :meth:`Store.record` (synchronous, no I/O, safe to call
on the reply path) and written by a background task in a single transaction per batch, so
a process killed with SIGKILL loses at most the batch in memory and the file always holds
a prefix of what was recorded. Per-user settings are written immediately because the
person is waiting for the answer ("language changed", "forgotten").

Durability choices: WAL so reports can read while the bot writes, and
``synchronous=FULL`` so a committed ``/forget`` survives even a power cut. FULL costs one
fsync per commit, which is cheap here: counters commit once per batch, and settings are
written at most once per person per day plus on explicit commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType

import aiosqlite

from bot.stats.events import DIRECT, LANGUAGES, CheckEvent, is_referral
from bot.stats.identity import MIN_SECRET_BYTES, SecretError, load_secret, pseudonym
from bot.stats.schema import migrate

log = logging.getLogger(__name__)

DEFAULT_DB_ENV = "LURECHECK_DB"
DEFAULT_DB_PATH = Path("data/lurecheck.sqlite3")
RETENTION_DAYS = 180

_UPSERT = (
    "INSERT INTO counts (day, metric, key, n) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n"
)

_Cell = tuple[str, str, str]  # (day, metric, key)


async def connect(db_path: Path) -> aiosqlite.Connection:
    """Open *db_path* in autocommit mode with WAL; transactions are always explicit."""
    conn = await aiosqlite.connect(db_path, isolation_level=None)
    try:
        await conn.execute("PRAGMA busy_timeout = 5000")
        async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
            row = await cursor.fetchone()
        if not row or str(row[0]).lower() != "wal":
            raise RuntimeError(f"{db_path}: SQLite refused WAL mode (filesystem without locks?)")
        await conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        await conn.close()
        raise
    return conn


async def open_readonly(db_path: Path) -> aiosqlite.Connection:
    """Open an existing database for reports: read-only, so a report can never alter it."""
    if not db_path.is_file():
        raise FileNotFoundError(f"no LureCheck database at {db_path} (set LURECHECK_DB or --db)")
    conn = await aiosqlite.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    await conn.execute("PRAGMA busy_timeout = 5000")
    return conn


async def read_counts(
    conn: aiosqlite.Connection, since: date | None, until: date | None
) -> list[tuple[str, str, str, int]]:
    """``(day, metric, key, n)`` rows with ``since <= day <= until`` (None: unbounded)."""
    low = since.isoformat() if since else ""
    high = until.isoformat() if until else "9999-12-31"
    rows = await conn.execute_fetchall(
        "SELECT day, metric, key, n FROM counts WHERE day BETWEEN ? AND ? ORDER BY day",
        (low, high),
    )
    return [(str(d), str(m), str(k), int(n)) for d, m, k, n in rows]


def _utc_today() -> date:
    return datetime.now(UTC).date()


class Store:
    """Counters and per-user settings. Create with :meth:`open`, finish with :meth:`close`.

    Methods must be called from the event loop that opened the store. Reads fetch their
    rows in the same step as the query (``execute_fetchall``): a cursor left open across
    an ``await`` would hold an old snapshot while another coroutine writes, and when
    another process (a second worker) has written meanwhile, SQLite refuses that write at
    once with "database is locked" instead of waiting for the busy timeout.
    """

    def __init__(
        self,
        conn: aiosqlite.Connection,
        secret: bytes,
        *,
        flush_interval: float,
        batch_size: int,
        retention_days: int,
    ) -> None:
        self._conn = conn
        self._secret = secret
        self._flush_interval = flush_interval
        self._batch_size = batch_size
        self._retention_days = retention_days
        self._pending: Counter[_Cell] = Counter()
        self._pending_events = 0
        self._flush_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._purged_on: date | None = None
        self._closed = False
        self._flusher: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls,
        db_path: Path,
        secret: bytes | None = None,
        *,
        flush_interval: float = 2.0,
        batch_size: int = 500,
        retention_days: int = RETENTION_DAYS,
    ) -> Store:
        """Open (creating and migrating if needed) and start the background flusher.

        *secret* defaults to :func:`bot.stats.identity.load_secret` for *db_path*. The
        flusher writes every *flush_interval* seconds or as soon as *batch_size* checks
        are waiting, and purges settings unused for *retention_days* once per UTC day.
        """
        if secret is not None and len(secret) < MIN_SECRET_BYTES:
            raise SecretError(f"the secret must be at least {MIN_SECRET_BYTES} bytes")
        db_path.parent.mkdir(parents=True, exist_ok=True)
        key = secret if secret is not None else load_secret(db_path)
        conn = await connect(db_path)
        try:
            await migrate(conn)
        except BaseException:
            await conn.close()
            raise
        store = cls(
            conn,
            key,
            flush_interval=flush_interval,
            batch_size=batch_size,
            retention_days=retention_days,
        )
        store._flusher = asyncio.create_task(store._run_flusher(), name="lurecheck-stats-flush")
        return store

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- counters -------------------------------------------------------------------

    def record(self, event: CheckEvent) -> None:
        """Queue one check for counting. No I/O; the flusher writes it shortly."""
        if self._closed:
            raise RuntimeError("Store is closed")
        day = event.day.isoformat()
        for metric, key in event.counters():
            self._pending[(day, metric, key)] += 1
        self._pending_events += 1
        if self._pending_events >= self._batch_size:
            self._wake.set()

    async def flush(self) -> None:
        """Write everything queued so far in ONE transaction (all of it or none of it)."""
        async with self._flush_lock:
            if not self._pending:
                return
            batch, self._pending = self._pending, Counter()
            self._pending_events = 0
            rows = [(day, metric, key, n) for (day, metric, key), n in batch.items()]
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                await self._conn.executemany(_UPSERT, rows)
                await self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    await self._conn.execute("ROLLBACK")
                # Put the batch back; newer events merge into it, so the next commit still
                # contains a prefix of everything recorded.
                batch.update(self._pending)
                self._pending = batch
                raise

    async def _run_flusher(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._flush_interval)
            self._wake.clear()
            if self._closed:
                return  # close() writes the rest itself
            try:
                await self.flush()
                today = _utc_today()
                if self._purged_on != today:
                    await self.purge_inactive(today, self._retention_days)
                    self._purged_on = today
            except Exception:
                # SQLite errors carry no user data; keep the batch and retry next round.
                log.exception("stats: writing counters failed, will retry")

    async def close(self) -> None:
        """Stop the flusher, write what is queued and close the database. Idempotent.

        The flusher is woken and awaited, not cancelled: a cancel between ``BEGIN`` and
        ``COMMIT`` would leave the connection inside a transaction (the statement still
        runs on aiosqlite's thread) and the batch both written and put back.
        """
        if self._closed:
            return
        self._closed = True
        if self._flusher is not None:
            self._wake.set()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        try:
            await self.flush()
        finally:
            await self._conn.close()

    async def counts(
        self, since: date | None, until: date | None
    ) -> list[tuple[str, str, str, int]]:
        """Flush, then return the counter rows between *since* and *until* (inclusive)."""
        await self.flush()
        return await read_counts(self._conn, since, until)

    # -- per-user settings ----------------------------------------------------------

    def _uid(self, user_id: int) -> str:
        return pseudonym(self._secret, user_id)

    async def get_language(self, user_id: int) -> str | None:
        """The reply language this person chose, or None if they never chose one."""
        rows = await self._conn.execute_fetchall(
            "SELECT language FROM settings WHERE uid = ?", (self._uid(user_id),)
        )
        return next((row[0] for row in rows), None)

    async def set_language(self, user_id: int, lang: str) -> None:
        """Remember the chosen reply language (one of ko, en, th, vi)."""
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}")
        await self._conn.execute(
            "INSERT INTO settings (uid, language, last_seen) VALUES (?, ?, ?) "
            "ON CONFLICT (uid) DO UPDATE SET language = excluded.language",
            (self._uid(user_id), lang, _utc_today().isoformat()),
        )

    async def note_contact(self, user_id: int, referral: str | None, today: date) -> str | None:
        """Record that this person used the bot *today*; return their referral attribution.

        The first contact stores *referral* (the ``/start`` deep-link code, or None) and
        counts one ``new_user`` for it; later contacts only move ``last_seen`` forward,
        at most one write per person per day. A malformed code is treated as None.
        The returned code is what the caller should put in :attr:`CheckEvent.referral`.
        """
        uid = self._uid(user_id)
        day = today.isoformat()
        code = referral if referral is not None and is_referral(referral) else None
        rows = list(await self._conn.execute_fetchall(
            "SELECT referral, last_seen FROM settings WHERE uid = ?", (uid,)
        ))
        if not rows:
            async with self._conn.execute(
                "INSERT INTO settings (uid, referral, last_seen) VALUES (?, ?, ?) "
                "ON CONFLICT (uid) DO NOTHING",
                (uid, code, day),
            ) as cursor:
                created = cursor.rowcount == 1
            if created:
                self._pending[(day, "new_user", code or DIRECT)] += 1
                return code
            return await self.note_contact(user_id, referral, today)  # lost a race: re-read
        stored_referral, last_seen = rows[0]
        if last_seen is None or last_seen < day:
            await self._conn.execute(
                "UPDATE settings SET last_seen = ? WHERE uid = ? AND "
                "(last_seen IS NULL OR last_seen < ?)",
                (day, uid, day),
            )
        return stored_referral

    async def forget(self, user_id: int) -> bool:
        """Delete this person's settings row; True if there was one. Counts are anonymous
        and stay."""
        async with self._conn.execute(
            "DELETE FROM settings WHERE uid = ?", (self._uid(user_id),)
        ) as cursor:
            return cursor.rowcount > 0

    async def purge_inactive(self, today: date, days: int = RETENTION_DAYS) -> int:
        """Delete settings of people not seen for more than *days* days; return how many."""
        cutoff = (today - timedelta(days=days)).isoformat()
        async with self._conn.execute(
            "DELETE FROM settings WHERE last_seen IS NULL OR last_seen < ?", (cutoff,)
        ) as cursor:
            return max(cursor.rowcount, 0)
