"""Anonymised counting and NGO reports.

Everything LureCheck remembers lives behind :class:`bot.stats.store.Store`: per-day
counters (no message text, no user ids, no timestamps finer than a day) and a small
per-user settings row keyed by a keyed hash of the Telegram id. Reports read the
counters and hide small cells so no individual can be singled out. This package is
pure asyncio + SQLite and never imports telegram, so it can be tested and run as a
CLI on its own.
"""

from bot.stats.events import CheckEvent
from bot.stats.store import Store

__all__ = ["CheckEvent", "Store"]
