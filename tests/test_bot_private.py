"""End-to-end: private-chat flows of the real bot against the fake Bot API."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.bot_harness import Person, replies, running_bot

LURE = {
    "en": "High salary, no experience needed. Free flight and visa to Cambodia. "
          "Contact WhatsApp +855 12 345 678",
    "ko": "고수익 보장! 경력 무관, 캄보디아 항공권 무료 제공. 텔레그램으로 연락 주세요",
    "th": "รับสมัครด่วน เงินเดือนสูง ไม่ต้องมีประสบการณ์ บินฟรีไปกัมพูชา",
    "vi": "Lương cao, không cần kinh nghiệm, bay miễn phí sang Campuchia, liên hệ Telegram",
}


@pytest.mark.parametrize("lang", ["ko", "en", "th", "vi"])
async def test_text_is_checked_and_answered_once_in_the_senders_language(
    tmp_path: Path, lang: str
) -> None:
    async with running_bot(tmp_path) as h:
        person = Person(100 + len(lang), language_code=lang)
        message = h.updates.text(person, LURE[lang])
        sent = await h.answered(message)
        await h.settle()
        replies = h.api.replies_to(message["message_id"])
        assert len(replies) == 1
        expected = h.expected_reply(LURE[lang], lang)
        assert replies[0].text == expected.parts[0]
        assert replies[0].params.get("parse_mode") == "HTML"
        assert replies[0].params["link_preview_options"]["is_disabled"] is True
        assert sent[0].chat_id == person.user_id
    assert h.counts()[("language", lang)] == 1
    assert h.counts()[("kind", "text")] == 1


async def test_forwarded_burst_is_checked_as_one_offer(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        person = Person(201, "en")
        pieces = ["We are hiring now!", "Salary 3000 USD, no experience needed",
                  "Free flight to Cambodia. Contact @recruiter_hr"]
        messages = [h.updates.text(person, text, forward=True) for text in pieces]
        await h.answered(messages[0])
        await h.settle()
        assert len(h.api.sent_messages()) == 1
        assert h.api.sent_messages()[0].text == \
            h.expected_reply("\n\n".join(pieces), "en").parts[0]
    assert h.counts()[("kind", "forward")] == 1
    assert h.counts()[("checks", "")] == 1


async def test_hidden_text_link_is_part_of_the_check(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        text = "Great job abroad, apply here"
        url = "https://wa.me/85512345678"
        entity = {"type": "text_link", "offset": 22, "length": 10, "url": url}
        message = h.updates.text(Person(202, "en"), text, entities=[entity])
        sent = await h.answered(message)
        assert sent[0].text == h.expected_reply(f"{text}\n{url}", "en").parts[0]


@pytest.mark.parametrize("command,key", [("/help", "help"), ("/privacy", "privacy"),
                                         ("/about", "about")])
@pytest.mark.parametrize("lang", ["ko", "th"])
async def test_info_commands_answer_in_the_users_language(
    tmp_path: Path, command: str, key: str, lang: str
) -> None:
    async with running_bot(tmp_path) as h:
        h.updates.command(Person(300, lang), command)
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 1)
        assert h.api.sent_messages()[0].text == h.expected_message(key, lang).parts[0]


async def test_start_deep_link_is_counted_as_referral_and_bad_payload_is_not(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        h.updates.command(Person(401, "vi"), "/start ngo-xyz")
        h.updates.command(Person(402, "vi"), "/start bad$payload")
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 2)
        assert {s.text for s in h.api.sent_messages()} == {
            h.expected_message("start", "vi").parts[0]}
        h.updates.text(Person(401, "vi"), LURE["vi"])
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 3)
    counts = h.counts()
    assert counts[("new_user", "ngo-xyz")] == 1
    assert counts[("new_user", "direct")] == 1
    assert counts[("referral", "ngo-xyz")] == 1
    assert not any("$" in key for _, key in counts)


async def test_language_keyboard_sets_the_reply_language(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        person = Person(500, "en")
        h.updates.command(person, "/language")
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 1)
        prompt = h.api.sent_messages()[0]
        assert prompt.text == h.expected_message("language_prompt", "en").parts[0]
        expected_rows = h.expected_message("language_prompt", "en").buttons
        thai = next(b.data for row in expected_rows for b in row if b.data.endswith("th"))
        assert thai in prompt.button_data
        from fake_bot_api import bot_message

        h.updates.callback(person, bot_message(prompt), thai)
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 2)
        assert h.api.sent_messages()[1].text == h.expected_message("language_set", "th").parts[0]
        assert len(h.api.of_method("answerCallbackQuery")) == 1
        message = h.updates.text(person, LURE["en"])
        sent = await h.answered(message)
        assert sent[0].text == h.expected_reply(LURE["en"], "th").parts[0]


async def test_language_button_rerenders_the_reply_in_place(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        person = Person(600, "en")
        message = h.updates.text(person, LURE["en"])
        (reply,) = await h.answered(message)
        korean = next(d for d in reply.button_data
                      if isinstance(a := replies.parse_callback(d), replies.SetLanguage)
                      and a.lang == "ko")
        from fake_bot_api import bot_message

        h.updates.callback(person, bot_message(reply), korean)
        await h.api.wait_until(lambda: len(h.api.of_method("editMessageText")) == 1)
        edit = h.api.of_method("editMessageText")[0]
        assert edit.message_id == reply.message_id
        assert edit.text == h.expected_reply(LURE["en"], "ko").parts[0]
        assert len(h.api.sent_messages()) == 1
        # ...and the choice sticks for the next check.
        second = h.updates.text(person, LURE["en"])
        (again,) = await h.answered(second)
        assert again.text == h.expected_reply(LURE["en"], "ko").parts[0]


async def test_abroad_button_shows_help_and_switches_its_language_in_place(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        person = Person(650, "vi")
        message = h.updates.text(person, LURE["vi"])
        (reply,) = await h.answered(message)
        abroad = next(d for d in reply.button_data
                      if isinstance(replies.parse_callback(d), replies.AbroadHelp))
        from fake_bot_api import bot_message

        h.updates.callback(person, bot_message(reply), abroad)
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 2)
        card = h.api.sent_messages()[1]
        action = replies.parse_callback(abroad)
        assert isinstance(action, replies.AbroadHelp)
        expected = replies.compose_abroad_help(action.lang, action.destinations, h.kb)
        assert card.text == expected.parts[0]
        other = next(d for d in h.api.sent_messages()[-1].button_data
                     if isinstance(a := replies.parse_callback(d), replies.AbroadHelp)
                     and a.lang == "en")
        h.updates.callback(person, bot_message(h.api.sent_messages()[-1]), other)
        await h.api.wait_until(lambda: len(h.api.of_method("editMessageText")) >= 1)
        assert len(h.api.sent_messages()) == 2 + (len(expected.parts) - 1)


async def test_button_from_an_old_keyboard_gets_a_polite_answer(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        person = Person(700, "en")
        old = {"message_id": 5, "date": 0, "chat": {"id": 700, "type": "private"},
               "text": "an old reply from before a restart"}
        h.updates.callback(person, old, "garbage:data")
        h.updates.callback(person, old, "lang:xx")
        await h.api.wait_until(lambda: len(h.api.of_method("answerCallbackQuery")) == 2)
        stale = h.expected_message("stale_button", "en").parts[0]
        for answer in h.api.of_method("answerCallbackQuery"):
            assert answer.params.get("text")
            assert answer.params["text"] in stale or stale.startswith(answer.params["text"][:20])
        assert h.api.sent_messages() == []
        assert h.api.of_method("editMessageText") == []


async def test_forget_deletes_settings_then_reports_nothing_left(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        person = Person(800, "ko")
        h.updates.command(person, "/start")
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 1)
        h.updates.command(person, "/forget")
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 2)
        h.updates.command(person, "/forget")
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 3)
        texts = [s.text for s in h.api.sent_messages()]
        assert texts[1] == h.expected_message("forget_done", "ko").parts[0]
        # Answering /forget must not itself create a row about the person.
        assert texts[2] == h.expected_message("forget_nothing", "ko").parts[0]


async def test_flood_limit_answers_once_then_stays_quiet(tmp_path: Path) -> None:
    from dataclasses import replace

    from support.bot_harness import FAST

    async with running_bot(tmp_path, tuning=replace(FAST, checks_per_minute=3)) as h:
        person = Person(900, "en")
        for i in range(6):
            h.updates.text(person, f"offer number {i}: salary 2000 USD")
        await h.settle()
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 4)
        flood = h.expected_message("flood_limited", "en").parts[0]
        texts = [s.text for s in h.api.sent_messages()]
        assert texts.count(flood) == 1
        assert len(texts) == 4


@pytest.mark.parametrize("fields,key", [
    ({"text": "   \n  "}, "empty_text"),
    ({"text": ""}, "empty_text"),
    ({"sticker": {"file_id": "s1", "file_unique_id": "us1", "type": "regular",
                  "width": 512, "height": 512, "is_animated": False, "is_video": False}},
     "unsupported_media"),
    ({"voice": {"file_id": "v1", "file_unique_id": "uv1", "duration": 3}},
     "unsupported_media"),
    ({"location": {"latitude": 11.5, "longitude": 104.9}}, "unsupported_media"),
])
async def test_odd_inputs_get_a_helpful_answer(tmp_path: Path, fields: dict[str, object],
                                               key: str) -> None:
    async with running_bot(tmp_path) as h:
        message = h.updates.raw(Person(1000, "en"), **fields)
        (sent,) = await h.answered(message)
        assert sent.text == h.expected_message(key, "en").parts[0]


async def test_longest_telegram_message_is_checked(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        text = (LURE["en"] + " ") * 40
        text = text[:4096]
        message = h.updates.text(Person(1100, "en"), text)
        sent = await h.answered(message)
        assert sent[0].text == h.expected_reply(text, "en").parts[0]
        assert all(len(s.text) <= 4096 for s in h.api.sent_messages())


async def test_command_menus_are_registered_per_language_and_chat_type(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        menus = {(c["scope"]["type"], c.get("language_code")) for c in h.api.commands}
        for scope in ("all_private_chats", "all_group_chats"):
            for lang in (None, "ko", "en", "th", "vi"):
                assert (scope, lang) in menus
        private_ko = next(c for c in h.api.commands if c["scope"]["type"] == "all_private_chats"
                          and c.get("language_code") == "ko")
        assert {c["command"] for c in private_ko["commands"]} >= {"start", "help", "language",
                                                                   "privacy", "forget", "about"}
