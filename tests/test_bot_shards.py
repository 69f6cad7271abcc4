"""Several bot processes behind one router (``lurecheck run --workers N``), end to end.

The router runs in the test's event loop; its workers are real ``python -m
bot.telegram.worker`` processes talking to the fake Bot API, exactly as in production.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from fake_bot_api import FakeBotApi, JsonDict, Person, Updates, group_chat
from support.bot_harness import FAST, TOKEN, checks_counted, make_settings

from bot.telegram import shards
from bot.telegram.shards import Router, chat_of

WORKERS = 2
ADMIN = Person(7_000_000_001, "en")


def test_chat_of_routes_by_chat_and_tolerates_anything() -> None:
    assert chat_of({"update_id": 1, "message": {"chat": {"id": -100123}}}) == -100123
    assert chat_of({"callback_query": {"from": {"id": 5}, "message": {"chat": {"id": 9}}}}) == 9
    # A button on a message Telegram no longer shows: route by who pressed it.
    assert chat_of({"callback_query": {"from": {"id": 5}}}) == 5
    for odd in ({}, {"message": None}, {"message": {"chat": "x"}}, [], None):
        assert chat_of(odd) == 0


@asynccontextmanager
async def running_router(api: FakeBotApi, tmp_path: Path,
                         rules_dir: Path | None = None) -> AsyncIterator[Router]:
    settings = make_settings(api, tmp_path, admin_ids=frozenset({ADMIN.user_id}))
    if rules_dir is not None:
        settings = replace(settings, rules_dir=rules_dir)
    router = Router(settings, FAST, WORKERS)
    serving = asyncio.create_task(router.run())
    try:
        yield router
    finally:
        router.stop()
        assert await asyncio.wait_for(serving, 120) == 0


async def answered(api: FakeBotApi, message: JsonDict) -> None:
    await api.wait_until(lambda: bool(api.replies_to(message["message_id"])), timeout=60,
                         what=f"a reply to {message['message_id']}")


def shard_of(person: Person) -> int:
    return person.user_id % WORKERS


async def test_every_chat_is_answered_once_by_its_worker_and_counts_add_up(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shards, "MIN_UPTIME", 0.0)  # a killed worker is replaced at once
    caplog.set_level(logging.INFO, logger="bot.telegram.shards")
    people = [Person(8_000_000_000 + i, lang) for i, lang in enumerate(["ko", "en", "th", "vi"])]
    assert {shard_of(p) for p in people} == set(range(WORKERS))
    offer = "High salary 3000 USD, no experience, free flight to Cambodia, contact on Telegram"
    with FakeBotApi(TOKEN) as api:
        db = make_settings(api, tmp_path).db_path
        updates = Updates(api)
        async with running_router(api, tmp_path) as router:
            private = [updates.text(person, offer) for person in people for _ in range(3)]
            group = group_chat(-1001234567891)
            flagged = updates.text(people[0], offer, chat=group)
            updates.command(people[1], "/check", chat=group, reply_to=flagged)
            for message in [*private, flagged]:
                await answered(api, message)

            # An admin's /reload in one worker reloads the others too.
            updates.command(ADMIN, "/reload")
            await api.wait_until(lambda: any(m.chat_id == ADMIN.user_id
                                             for m in api.sent_messages()),
                                 timeout=60, what="the admin's reload report")
            await api.wait_until(lambda: "reloading the others" in caplog.text, timeout=30,
                                 what="the router's reload broadcast")

            # A worker that dies is replaced and its chats are answered again. (Counts it
            # had not flushed yet would die with it: wait for them first.)
            await api.wait_until(lambda: checks_counted(db) == len(private) + 1, timeout=30,
                                 what="the counts of both workers")
            victim = router.workers[shard_of(people[0])]
            assert victim.proc is not None
            old_pid = victim.proc.pid
            victim.proc.send_signal(signal.SIGKILL)
            await api.wait_until(lambda: victim.alive and victim.proc is not None
                                 and victim.proc.pid != old_pid, timeout=60, what="a new worker")
            after = updates.text(people[0], offer)
            await answered(api, after)
    assert "starting a new one" in caplog.text
    for message in [*private, flagged, after]:
        assert len(api.replies_to(message["message_id"])) == 1
    # Stopping lets each worker flush: every check counted exactly once.
    assert checks_counted(db) == len(private) + 2


async def test_a_worker_that_cannot_start_stops_the_router_with_exit_1(tmp_path: Path) -> None:
    with FakeBotApi(TOKEN) as api:
        settings = make_settings(api, tmp_path, rules_dir=tmp_path / "no-such-rules")
        code = await asyncio.wait_for(Router(settings, FAST, WORKERS).run(), 120)
    assert code == 1

