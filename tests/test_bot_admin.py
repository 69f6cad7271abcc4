"""End-to-end: the admin-only /reload and /stats commands."""

from __future__ import annotations

import shutil
from pathlib import Path

from fake_bot_api import Person
from support.bot_harness import running_bot

from bot.config import PROJECT_ROOT

ADMIN = Person(4001, "en")
STRANGER = Person(4002, "en")
PROBE = "zqx admin reload probe"


def probe_rule(valid: bool) -> str:
    """A small rule the test adds at run time; invalid = a misspelt key."""
    return f"""\
id: zz-admin-probe
status: experimental
category: lure.free-travel
severity: low
title: {{en: "t", ko: "t", th: "t", vi: "t"}}
explain: {{en: "e", ko: "e", th: "e", vi: "e"}}
description: "Detects the probe phrase of the admin reload test."
match:
  terms: {{en: ["{PROBE}"]}}
{"references" if valid else "refrences"}: [ohchr-2023-online-scam-trafficking]
examples:
  match: [{{lang: en, text: "{PROBE}"}}]
  no_match: [{{lang: en, text: "nothing here"}}]
"""


async def test_reload_is_admin_only_and_refuses_a_broken_pack(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "rules", rules)
    async with running_bot(tmp_path, admin_ids=frozenset({ADMIN.user_id}), rules_dir=rules) as h:
        h.updates.command(STRANGER, "/reload")
        await h.answered_chat(STRANGER.user_id)
        assert [s.text for s in h.api.sent_messages()] == [
            h.expected_message("not_admin", "en").parts[0]
        ]

        (rules / "lures" / "zz-admin-probe.yaml").write_text(probe_rule(False), encoding="utf-8")
        h.updates.command(ADMIN, "/reload")
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 3, what="reload answer")
        failed, listing = h.api.sent_messages()[1:]
        assert failed.text == h.expected_message("reload_failed", "en").parts[0]
        assert listing.text.startswith("<pre>") and "zz-admin-probe.yaml:" in listing.text
        assert "E101" in listing.text
        assert not h.kb.engine.analyse(PROBE).findings  # old packs still serving

        (rules / "lures" / "zz-admin-probe.yaml").write_text(probe_rule(True), encoding="utf-8")
        h.updates.command(ADMIN, "/reload")
        await h.api.wait_until(lambda: len(h.api.sent_messages()) == 4, what="reload answer")
        assert h.api.sent_messages()[3].text == h.expected_message("reload_ok", "en").parts[0]
        assert h.kb.engine.analyse(PROBE).findings  # the new rule is live


async def test_stats_is_admin_only_and_suppresses_small_counts(tmp_path: Path) -> None:
    async with running_bot(tmp_path, admin_ids=frozenset({ADMIN.user_id})) as h:
        h.updates.command(STRANGER, "/stats")
        await h.answered_chat(STRANGER.user_id)
        offer = h.updates.text(STRANGER, "Salary 2500 USD, free flight to Poipet")
        await h.answered(offer)
        h.updates.command(ADMIN, "/stats")
        await h.answered_chat(ADMIN.user_id)
        (summary,) = [s for s in h.api.sent_messages() if s.chat_id == ADMIN.user_id]
        assert summary.text.startswith("<pre>") and summary.text.endswith("</pre>")
        assert "&lt;10" in summary.text  # one check: shown as <10, never as 1
        assert str(STRANGER.user_id) not in summary.text
        first = h.api.sent_messages()[0]
        assert first.text == h.expected_message("not_admin", "en").parts[0]
