"""End-to-end: a flaky Bot API (429, 5xx, dropped and stalled connections).

The promise under test: every update is answered exactly once. Failures that prove the
request was not processed are retried; a lost answer after delivery is not (the fake
server counts deliveries, so a duplicate would show).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fake_bot_api import Fault
from support.bot_harness import Person, running_bot

OFFER = "Salary 2500 USD, free flight, no experience needed, message me on Telegram"

FAULTS = {
    "429": Fault("status", 429, retry_after=1),
    "500": Fault("status", 500),
    "502": Fault("status", 502),
    "drop": Fault("drop"),
}


@pytest.mark.parametrize("method", ["sendMessage", "getUpdates"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_every_update_is_answered_exactly_once(tmp_path: Path, method: str,
                                                     fault: str) -> None:
    async with running_bot(tmp_path) as h:
        h.api.inject(method, FAULTS[fault], times=2)
        messages = [h.updates.text(Person(2000 + i, "en"), f"{OFFER} #{i}") for i in range(5)]
        for message in messages:
            await h.answered(message)
        await h.settle()
        for message in messages:
            assert len(h.api.replies_to(message["message_id"])) == 1
        assert len(h.api.sent_messages()) == len(messages)
        outcomes = [c.outcome for c in h.api.calls_of(method)]
        assert outcomes.count("error") + outcomes.count("drop") == 2  # faults really hit


async def test_a_send_whose_answer_was_lost_is_not_repeated(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The server delivers, then stalls past the client's read timeout: no second send."""
    caplog.set_level(logging.INFO)
    async with running_bot(tmp_path) as h:
        h.api.inject("sendMessage", Fault("stall", stall_seconds=3.5))
        first = h.updates.text(Person(2100, "en"), OFFER)
        await h.answered(first)
        later = h.updates.text(Person(2101, "en"), OFFER)  # the bot keeps working
        await h.answered(later)
        await h.settle()
        assert len(h.api.replies_to(first["message_id"])) == 1
        assert len(h.api.replies_to(later["message_id"])) == 1
        assert len(h.api.calls_of("sendMessage")) == 2
    assert "outcome unknown" in caplog.text
    # A network failure is not turned into an "error, try later" message either.
    assert len(h.api.sent_messages()) == 2


async def test_rate_limited_group_of_checks_all_get_answers(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        h.api.inject("sendMessage", Fault("status", 429, retry_after=1), times=3)
        people = [Person(2200 + i, lang) for i, lang in enumerate(["ko", "en", "th", "vi"])]
        messages = [h.updates.text(p, OFFER) for p in people]
        for message in messages:
            await h.answered(message)
        for message in messages:
            assert len(h.api.replies_to(message["message_id"])) == 1
