"""Run the real LureCheck Application against the fake Bot API inside a test.

``running_bot`` starts a :class:`FakeBotApi`, builds the production Application with
``build_application`` (only the timing knobs shrunk so tests are quick) and polls it with
the real PTB updater. Tests queue updates through ``h.updates`` and read what the bot sent
from ``h.api``.

``expected_reply`` renders what the bot *should* have sent with the same public core
functions the bot uses, so tests check the wiring (right text, right language, right
message quoted, once) without restating the wording of replies.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fake_bot_api import FakeBotApi, Person, Sent, Updates, group_chat

from bot.config import PROJECT_ROOT, Settings
from bot.core import reply as replies
from bot.core.knowledge import KnowledgeHolder
from bot.core.model import Result, Risk
from bot.ocr import Ocr
from bot.telegram.app import build_application, polling
from bot.telegram.handlers import Tuning

TOKEN = "123456789:AAHtestTOKENsecretPART_abcdefghijklmn"
HIGH_MARKER = "[[high-risk-for-test]]"

# Sequential processing (PTB's default) so that ``drain`` proves earlier updates are done.
FAST = Tuning(batch_window=0.3, batch_max_wait=3.0, send_backoff=0.05, read_timeout=2.0,
              concurrent_updates=0, rate_limit_retries=3)
SENTINEL = Person(999_999, "en")


class _Engine:
    """The real engine, except that a marker in the text forces a high risk.

    Group guard behaviour depends on the risk band, not on which rules exist; the marker
    keeps those tests independent of the shipped rule packs' contents.
    """

    def __init__(self, real: Any) -> None:
        self._real = real
        self.rules = real.rules

    def analyse(self, text: str) -> Result:
        result: Result = self._real.analyse(text)
        if HIGH_MARKER in text:
            return dataclasses.replace(result, risk=Risk.HIGH)
        return result


class TestHolder(KnowledgeHolder):
    """KnowledgeHolder whose engine honours :data:`HIGH_MARKER`."""

    __test__ = False

    @property
    def current(self) -> Any:
        real = super().current
        return _Wrapped(real)


class _Wrapped:
    def __init__(self, real: Any) -> None:
        self._real = real
        self.engine = _Engine(real.engine)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@dataclass
class Harness:
    api: FakeBotApi
    updates: Updates
    app: Any
    settings: Settings
    holder: KnowledgeHolder

    @property
    def kb(self) -> Any:
        return self.holder.current

    def expected_reply(self, text: str, lang: str) -> replies.Reply:
        return replies.compose_reply(self.kb.engine.analyse(text), lang, self.kb)

    def expected_message(self, key: str, lang: str, **values: Any) -> replies.Reply:
        return replies.compose_message(key, lang, self.kb, **values)

    async def answered(self, message: dict[str, Any], parts: int = 1) -> list[Sent]:
        """Wait until the bot replied to ``message`` (with ``parts`` messages)."""
        await self.api.wait_until(lambda: len(self.api.replies_to(message["message_id"]))
                                  >= 1, what=f"a reply to {message['message_id']}")
        return self.api.replies_to(message["message_id"])

    async def settle(self) -> None:
        """Wait until every queued update was fetched and the bot is idle again."""
        await self.api.wait_until(lambda: self.api.pending_updates() == 0, what="polling")
        svc = self.app.bot_data["lurecheck"]
        await self.api.wait_until(lambda: not svc.batcher._pending, what="batches")

    async def drain(self) -> None:
        """Make sure every update queued so far has been fully handled.

        Updates are processed in order (FAST is sequential), so once a sentinel /help is
        answered, everything before it is finished. The sentinel's answer is then removed
        so tests can count what they caused.
        """
        probe = self.updates.command(SENTINEL, "/help")
        await self.answered_chat(SENTINEL.user_id)
        with self.api._lock:
            self.api.sent = [s for s in self.api.sent if s.chat_id != SENTINEL.user_id]
        del probe

    async def answered_chat(self, chat_id: int) -> None:
        await self.api.wait_until(
            lambda: any(s.chat_id == chat_id for s in self.api.sent_messages()),
            what=f"a message to chat {chat_id}")

    def counts(self) -> dict[tuple[str, str], int]:
        """Counters in the database (after the store flushed), summed over days."""
        with sqlite3.connect(self.settings.db_path) as db:
            rows = db.execute("SELECT metric, key, SUM(n) FROM counts GROUP BY metric, key")
            return {(metric, key): int(n) for metric, key, n in rows}


def checks_counted(db_path: Path) -> int:
    """How many checks the database has counted so far (0 before it exists)."""
    if not db_path.exists():
        return 0
    with sqlite3.connect(db_path) as db:
        (checks,) = db.execute("SELECT SUM(n) FROM counts WHERE metric = 'checks'").fetchone()
    return int(checks or 0)


def make_settings(api: FakeBotApi, tmp_path: Path, admin_ids: frozenset[int] = frozenset(),
                  rules_dir: Path = PROJECT_ROOT / "rules") -> Settings:
    return Settings(token=TOKEN, api_base_url=api.base_url, api_base_file_url=api.base_file_url,
                    db_path=tmp_path / "data" / "lurecheck.sqlite3", admin_ids=admin_ids,
                    log_level="DEBUG", rules_dir=rules_dir,
                    locales_dir=PROJECT_ROOT / "locales")


@asynccontextmanager
async def running_bot(tmp_path: Path, *, tuning: Tuning = FAST, ocr: Ocr | None = None,
                      admin_ids: frozenset[int] = frozenset(),
                      rules_dir: Path = PROJECT_ROOT / "rules") -> AsyncIterator[Harness]:
    with FakeBotApi(TOKEN) as api:
        settings = make_settings(api, tmp_path, admin_ids, rules_dir)
        holder = TestHolder(settings.rules_dir, settings.locales_dir)
        app = build_application(settings, tuning, holder, ocr)
        async with polling(app, poll_timeout=1.0):
            yield Harness(api, Updates(api), app, settings, holder)


__all__ = ["FAST", "HIGH_MARKER", "TOKEN", "Harness", "Person", "checks_counted", "group_chat",
           "running_bot"]
