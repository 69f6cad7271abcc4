"""Versioned schema for the stats database.

``PRAGMA user_version`` holds the number of migrations applied. Each migration runs in its
own ``BEGIN IMMEDIATE`` transaction together with the version bump, so a crash mid-upgrade
leaves the file at the previous version, never half-migrated (SQLite DDL is transactional).
Migrations are append-only: never edit one that has shipped, add a new step instead.
"""

from __future__ import annotations

import aiosqlite

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # v1: counters and per-user settings.
    (
        """CREATE TABLE counts (
            day    TEXT    NOT NULL,            -- UTC day, YYYY-MM-DD; nothing finer
            metric TEXT    NOT NULL,
            key    TEXT    NOT NULL,
            n      INTEGER NOT NULL CHECK (n >= 0),
            PRIMARY KEY (day, metric, key)
        ) WITHOUT ROWID""",
        """CREATE TABLE settings (
            uid      TEXT PRIMARY KEY,          -- hex HMAC-SHA256 of the Telegram id
            language TEXT,
            referral TEXT                       -- deep-link code at first contact
        ) WITHOUT ROWID""",
    ),
    # v2: retention. Rows that predate v2 have no day, so their 180-day clock starts at the
    # upgrade rather than deleting everyone's language choice at once.
    (
        "ALTER TABLE settings ADD COLUMN last_seen TEXT",
        "UPDATE settings SET last_seen = date('now')",
        "CREATE INDEX settings_last_seen ON settings (last_seen)",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaError(RuntimeError):
    """The database was written by a newer LureCheck or is not a LureCheck database."""


async def schema_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: aiosqlite.Connection) -> int:
    """Bring *conn* (opened with ``isolation_level=None``) to :data:`SCHEMA_VERSION`.

    The version is re-read inside each write transaction, so two processes starting on
    the same new file (the bot and a report) cannot both apply the same step.
    """
    while True:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            version = await schema_version(conn)
            if version > SCHEMA_VERSION:
                raise SchemaError(
                    f"database schema v{version} is newer than this LureCheck "
                    f"(v{SCHEMA_VERSION}); upgrade LureCheck instead of downgrading the database"
                )
            if version == SCHEMA_VERSION:
                await conn.execute("COMMIT")
                return version
            for statement in MIGRATIONS[version]:
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
