"""End-to-end: the bot in a community group (/check, /guard, group reply budget)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fake_bot_api import group_chat
from support.bot_harness import FAST, HIGH_MARKER, Person, running_bot

ADMIN = Person(3001, "th")
MEMBER = Person(3002, "en")
OFFER = "Salary 2500 USD, free flight, no experience needed"


async def test_group_is_silent_by_default_and_check_answers_the_replied_message(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        chat = group_chat()
        offer = h.updates.text(MEMBER, f"{OFFER} {HIGH_MARKER}", chat=chat)
        await h.drain()
        assert h.api.sent_messages() == []  # guard is off: nothing said
        h.updates.command(MEMBER, "/check", chat=chat, reply_to=offer)
        (reply,) = await h.answered(offer)
        assert reply.chat_id == chat["id"]
        assert reply.text == h.expected_reply(f"{OFFER} {HIGH_MARKER}", "en").parts[0]
        h.updates.command(MEMBER, "/check", chat=chat)  # not a reply: ask for the text
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 2)
        assert h.api.sent_messages()[1].text == h.expected_message("empty_text", "en").parts[0]
    assert h.counts()[("kind", "group")] == 1


async def test_only_admins_switch_guard_and_guard_warns_on_risky_messages_only(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        chat = group_chat()
        h.api.set_admins(chat["id"], {ADMIN.user_id})
        h.updates.command(MEMBER, "/guard on", chat=chat)
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 1)
        assert h.api.sent_messages()[0].text == h.expected_message("not_admin", "en").parts[0]
        h.updates.command(ADMIN, "/guard on", chat=chat)
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 2)
        assert h.api.sent_messages()[1].text == h.expected_message("guard_on", "th").parts[0]

        benign = h.updates.text(MEMBER, "See you all at the meeting on Sunday", chat=chat)
        risky = h.updates.text(MEMBER, f"{OFFER} {HIGH_MARKER}", chat=chat)
        (warning,) = await h.answered(risky)
        await h.drain()
        link = "https://t.me/lurecheck_test_bot?start=guard"
        assert warning.text == h.expected_message("group_guard_warning", "en",
                                                  link=link).parts[0]
        assert h.api.replies_to(benign["message_id"]) == []

        h.updates.command(ADMIN, "/guard off", chat=chat)
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 4)
        h.updates.text(MEMBER, f"{OFFER} {HIGH_MARKER}", chat=chat)
        await h.drain()
        assert len(h.api.sent_messages()) == 4


async def test_guard_setting_survives_a_restart_without_storing_the_chat_id(
    tmp_path: Path,
) -> None:
    chat = group_chat(-1009876543210)
    async with running_bot(tmp_path) as h:
        h.api.set_admins(chat["id"], {ADMIN.user_id})
        h.updates.command(ADMIN, "/guard on", chat=chat)
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 1)
    stored = b"".join(p.read_bytes() for p in (tmp_path / "data").iterdir() if p.is_file())
    assert b"9876543210" not in stored
    async with running_bot(tmp_path) as h:
        risky = h.updates.text(MEMBER, f"{OFFER} {HIGH_MARKER}", chat=chat)
        await h.answered(risky)


async def test_guard_respects_the_group_reply_budget(tmp_path: Path) -> None:
    async with running_bot(tmp_path, tuning=replace(FAST, group_replies_per_minute=2)) as h:
        chat = group_chat()
        h.api.set_admins(chat["id"], {ADMIN.user_id})
        h.updates.command(ADMIN, "/guard on", chat=chat)
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 1)
        for i in range(5):
            h.updates.text(MEMBER, f"{OFFER} {HIGH_MARKER} #{i}", chat=chat)
        await h.drain()
        assert len(h.api.sent_messages()) == 3
