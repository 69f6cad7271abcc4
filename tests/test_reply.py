"""Reply composition against hand-built results and a small fake rule table.

These tests pin the reply's shape (order, evidence, contacts, buttons, HTML, length)
independently of the rule packs; tests/test_reply_golden.py runs the real engine.
"""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from bot.config import PROJECT_ROOT
from bot.core import reply
from bot.core.guidance import DESTINATIONS, Contact, load_guidance
from bot.core.knowledge import Knowledge
from bot.core.language import choose_language
from bot.core.model import LANGUAGES, Finding, Result, Risk, Span
from bot.core.reply import (
    AbroadHelp,
    SetLanguage,
    compose_abroad_help,
    compose_message,
    compose_reply,
    html_problems,
    parse_callback,
    utf16_len,
)
from bot.i18n import load_catalogs

TODAY = datetime.date(2026, 11, 22)
# "safe" as a verdict, in the four languages. None may appear anywhere in a reply.
SAFE_WORDS = re.compile(r"safe|안전|ปลอดภัย|an toàn", re.I)
REQUIRED_KEYS = (
    "start",
    "help",
    "privacy",
    "about",
    "forget_done",
    "forget_nothing",
    "language_prompt",
    "language_set",
    "flood_limited",
    "ocr_unavailable",
    "ocr_empty",
    "unsupported_media",
    "empty_text",
    "too_long_truncated",
    "group_guard_warning",
    "guard_on",
    "guard_off",
    "not_admin",
    "reload_ok",
    "reload_failed",
    "stale_button",
    "error_try_later",
)


@dataclass(frozen=True)
class FakeRule:
    title: dict[str, str]
    explain: dict[str, str] = field(default_factory=dict)


def _texts(word: str) -> dict[str, str]:
    return {lang: f"{word} ({lang})" for lang in LANGUAGES}


RULES = {
    "free-travel": FakeRule(_texts("Free flight promised"), _texts("They pay so you owe them.")),
    "poipet": FakeRule(_texts("Poipet <border> & casinos"), _texts("Compounds are documented.")),
    "myawaddy": FakeRule(_texts("Myawaddy"), _texts("Compounds across from Mae Sot.")),
}


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    catalogs, _ = load_catalogs(PROJECT_ROOT / "locales", tuple(reply.messages().values()))
    guidance, _ = load_guidance(PROJECT_ROOT / "rules" / "guidance", None)
    assert catalogs is not None and guidance is not None
    engine: Any = SimpleNamespace(rules=RULES)
    return Knowledge(engine=engine, guidance=guidance, catalogs=catalogs)


def finding(rule: str, *evidence: str, weight: int = 20, dests: tuple[str, ...] = ()) -> Finding:
    spans = tuple(Span(0, len(text), text) for text in evidence)
    return Finding(rule, "lure.x", "medium", weight, spans, dests)


LURE = Result(
    risk=Risk.HIGH,
    score=75,
    language="en",
    destinations=("KH",),
    findings=(
        finding("free-travel", "free flight", "FREE  flight", "free <visa> & room"),
        finding("poipet", "Poipet", weight=35, dests=("KH",)),
    ),
)
NOTHING = Result(risk=Risk.NONE, score=0, language="en", destinations=(), findings=())


def assert_valid(parts: tuple[str, ...]) -> None:
    assert parts
    for part in parts:
        assert html_problems(part) == [], part
        assert utf16_len(part) <= 4096


def text_of(parts: tuple[str, ...]) -> str:
    """What the reader sees: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", "\n\n".join(parts)))


EXPECTED_NUMBERS = {
    "ko": ["+82-2-3210-0404", "117"],
    "en": ["117"],
    "th": ["1300", "+66 2 572 8442", "117"],
    "vi": ["111", "+84 981 84 84 84", "117"],
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lure_reply_order_evidence_and_contacts(kb: Knowledge, lang: str) -> None:
    out = compose_reply(LURE, lang, kb, today=TODAY)
    assert_valid(out.parts)
    seen = text_of(out.parts)
    cat = kb.catalogs
    risk = cat.text(lang, reply._RISK[Risk.HIGH])
    actions = cat.text(lang, reply.ACTIONS)
    helping = cat.text(lang, reply.HELP_HEADING)
    positions = [seen.index(x) for x in (risk, "Poipet <border>", actions, helping)]
    assert positions == sorted(positions), "risk, signs, what to do, then guidance"
    assert "🔴" in seen
    assert "“free flight”" in seen and "“free <visa> & room”" in seen
    assert seen.count("free flight") + seen.count("FREE flight") == 1, "duplicates folded"
    assert f"They pay so you owe them. ({lang})" in seen
    for line in reply._ACTION_LINES:
        assert cat.text(lang, line) in seen
    for number in EXPECTED_NUMBERS[lang]:
        assert re.search(rf"(?<![\d+]){re.escape(number)}(?!\d)", seen), number
    assert not SAFE_WORDS.search(seen)


def test_korean_reply_names_the_travel_ban_honestly(kb: Knowledge) -> None:
    seen = text_of(compose_reply(LURE, "ko", kb, today=TODAY).parts)
    assert "여행금지" in seen and "포이펫" in seen
    assert "2026-07-31" in seen and "0404.go.kr" in seen
    assert "여권법 제26조" in seen and "10,000,000원" in seen
    assert "연장되었을 수 있으니" in seen  # the stored end date has passed
    earlier = text_of(compose_reply(LURE, "ko", kb, today=datetime.date(2026, 3, 1)).parts)
    assert "연장되었을 수 있으니" not in earlier
    for lang in ("en", "th", "vi"):
        assert "2026-07-31" not in text_of(compose_reply(LURE, lang, kb, today=TODAY).parts)


def test_evidence_is_escaped_and_trimmed(kb: Knowledge) -> None:
    long = "<script>alert(1)</script> " + "x" * 300
    result = Result(Risk.LOW, 10, "en", (), (finding("free-travel", long),))
    out = compose_reply(result, "en", kb, today=TODAY)
    assert_valid(out.parts)
    assert "&lt;script&gt;" in out.parts[0] and "<script>" not in out.parts[0]
    quoted = re.search(r"“([^”]*)”", text_of(out.parts))
    assert quoted and len(quoted.group(1)) <= reply.MAX_EVIDENCE_CHARS
    assert quoted.group(1).endswith("…")


def test_unknown_rule_still_shows_its_evidence(kb: Knowledge) -> None:
    result = Result(Risk.LOW, 10, "en", (), (finding("new-rule", "odd words"),))
    seen = text_of(compose_reply(result, "en", kb, today=TODAY).parts)
    assert "new-rule" in seen and "“odd words”" in seen


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_findings_reply_never_says_safe(kb: Knowledge, lang: str) -> None:
    out = compose_reply(NOTHING, lang, kb, today=TODAY)
    assert_valid(out.parts)
    seen = text_of(out.parts)
    assert kb.catalogs.text(lang, reply.NONE_FOUND) in seen
    assert all(f"{i}. " in seen for i in (1, 2, 3))
    assert kb.catalogs.text(lang, reply.ACTIONS) not in seen
    assert not SAFE_WORDS.search(seen)


def test_no_translation_anywhere_uses_safe_wording(kb: Knowledge) -> None:
    for lang in LANGUAGES:
        for msg in reply.messages().values():
            assert not SAFE_WORDS.search(kb.catalogs.text(lang, msg)), (lang, msg.key)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_buttons_switch_language_and_open_abroad_help(kb: Knowledge, lang: str) -> None:
    out = compose_reply(LURE, lang, kb, today=TODAY)
    switch, (abroad,) = out.buttons
    assert [parse_callback(b.data) for b in switch] == [
        SetLanguage(x) for x in LANGUAGES if x != lang
    ]
    assert parse_callback(abroad.data) == AbroadHelp(lang, ("KH",))
    assert abroad.label.startswith("🆘")
    for row in out.buttons:
        for button in row:
            assert len(button.data.encode()) <= 64
            assert not button.data.startswith("tel:")


def test_truncated_input_is_mentioned(kb: Knowledge) -> None:
    result = Result(Risk.NONE, 0, "en", (), (), truncated=True)
    assert "checked only its beginning" in compose_reply(result, "en", kb).parts[0]


def test_long_reply_splits_on_paragraphs(kb: Knowledge) -> None:
    long_rules = {
        f"r{i}": FakeRule(_texts(f"Sign {i}"), {x: "Because " * 120 for x in LANGUAGES})
        for i in range(20)
    }
    engine: Any = SimpleNamespace(rules=long_rules)
    big = Knowledge(engine=engine, guidance=kb.guidance, catalogs=kb.catalogs)
    findings = tuple(finding(f"r{i}", "w" * 80, "v" * 80) for i in range(20))
    out = compose_reply(Result(Risk.HIGH, 99, "th", ("KH",), findings), "th", big, today=TODAY)
    assert len(out.parts) > 1
    assert_valid(out.parts)
    for i in range(20):
        assert sum(f"Sign {i} (th)</b>" in part for part in out.parts) == 1
    assert not any(part.startswith("\n") or part.endswith("\n") for part in out.parts)


def test_a_paragraph_over_the_limit_is_cut_as_plain_text() -> None:
    parts = reply._split(["<b>head</b>", "<i>" + "&amp;" * 5000 + "</i>"])
    assert_valid(parts)
    assert parts[0] == "<b>head</b>"


@pytest.mark.parametrize(
    ("lang", "dests", "must"),
    [
        ("ko", ("KH",), ["+855-979-117-117", "0979-117-117", "117", "GPS", "+82-2-3210-0404"]),
        ("ko", ("MM",), ["+95 (0)94-2115-8030", "+82-2-3210-0404"]),
        ("th", ("KH",), ["+66 2 572 8442", "1300", "117"]),
        ("vi", ("MM",), ["+95 966 088 8998", "+84 981 84 84 84", "111"]),
        ("en", ("KH",), ["117", "embassy in Cambodia"]),
        ("en", ("PH",), ["1343"]),
    ],
)
def test_abroad_help_routes(
    kb: Knowledge, lang: str, dests: tuple[str, ...], must: list[str]
) -> None:
    out = compose_abroad_help(lang, dests, kb)
    assert_valid(out.parts)
    seen = text_of(out.parts)
    for text in must:
        assert text in seen, text
    assert not SAFE_WORDS.search(seen)
    assert kb.catalogs.text(lang, reply.ABROAD_PRIVACY) in seen


def test_korean_cambodia_steps_keep_mofa_order_and_old_numbers_are_flagged(kb: Knowledge) -> None:
    seen = text_of(compose_abroad_help("ko", ("KH",), kb).parts)
    steps = ["+855-979-117-117", "영어로", "GPS", "본인의 신고만"]
    assert [seen.index(s) for s in steps] == sorted(seen.index(s) for s in steps)
    assert "0404.go.kr, 2025-11-12" in seen
    myanmar = text_of(compose_abroad_help("ko", ("MM",), kb).parts)
    assert "바뀌었을 수 있습니다" in myanmar  # the 2021 embassy number is marked as old


def test_abroad_help_without_destination_offers_a_country_picker(kb: Knowledge) -> None:
    out = compose_abroad_help("vi", (), kb)
    actions = [parse_callback(b.data) for row in out.buttons for b in row]
    assert {AbroadHelp("vi", (d,)) for d in DESTINATIONS} <= set(actions)
    assert AbroadHelp("ko", ()) in actions


def test_every_language_and_destination_combination_renders(kb: Knowledge) -> None:
    for lang in LANGUAGES:
        for dests in [(), *((d,) for d in DESTINATIONS), DESTINATIONS]:
            assert_valid(compose_abroad_help(lang, dests, kb).parts)
            result = Result(Risk.MEDIUM, 50, lang, dests, (finding("myawaddy", "x", dests=dests),))
            assert_valid(compose_reply(result, lang, kb, today=TODAY).parts)


def test_every_shown_contact_has_source_and_check_date(kb: Knowledge) -> None:
    shown: dict[str, Contact] = {}
    for lang in LANGUAGES:
        for dests in [(), *((d,) for d in DESTINATIONS)]:
            for use in ("reply", "abroad"):
                shown |= {c.id: c for c in kb.guidance.contacts_for(lang, dests, use)}
            for procedure in kb.guidance.procedures_for(lang, dests):
                shown |= {c.id: c for c in procedure.contacts}
    assert len(shown) >= 15
    for contact in shown.values():
        assert contact.sources and contact.checked, contact.id
        for lang in contact.audience:
            block = reply.g.contact_block(kb.catalogs, lang, contact)
            newest = max(contact.sources, key=lambda s: s.date or "")
            if newest.date:
                assert f"{newest.domain}, {newest.date}" in block
            else:
                assert kb.catalogs.html(lang, reply.g.UNDATED, domain=newest.domain) in block


@pytest.mark.parametrize("key", REQUIRED_KEYS)
def test_every_message_key_renders_in_every_language(kb: Knowledge, key: str) -> None:
    values = (
        {"link": "https://t.me/lurecheck_bot?start=from_group"}
        if key == "group_guard_warning"
        else {}
    )
    for lang in LANGUAGES:
        out = compose_message(key, lang, kb, **values)
        assert_valid(out.parts)
        assert not SAFE_WORDS.search(text_of(out.parts))


def test_group_warning_links_to_a_private_chat(kb: Knowledge) -> None:
    out = compose_message("group_guard_warning", "ko", kb, link="https://t.me/bot?start=a&b=1")
    assert '<a href="https://t.me/bot?start=a&amp;b=1">' in out.parts[0]
    assert len(text_of(out.parts)) < 200
    with pytest.raises(ValueError):
        compose_message("group_guard_warning", "ko", kb, link="javascript:alert(1)")
    with pytest.raises(KeyError):
        compose_message("no_such_key", "ko", kb)


def test_start_and_language_prompt_buttons(kb: Knowledge) -> None:
    start = compose_message("start", "th", kb)
    actions = [parse_callback(b.data) for row in start.buttons for b in row]
    assert actions == [
        SetLanguage("ko"),
        SetLanguage("en"),
        SetLanguage("vi"),
        AbroadHelp("th", ()),
    ]
    prompt = compose_message("language_prompt", "en", kb)
    assert [b.label for b in prompt.buttons[0]] == ["한국어", "English", "ภาษาไทย", "Tiếng Việt"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("lang:ko", SetLanguage("ko")),
        ("abroad:th:", AbroadHelp("th", ())),
        ("abroad:vi:KH.MM", AbroadHelp("vi", ("KH", "MM"))),
        ("lang:fr", None),
        ("lang:", None),
        ("abroad:ko", None),
        ("abroad:ko:KH.KH", None),
        ("abroad:ko:XX", None),
        ("abroad:xx:KH", None),
        ("guard:on", None),
        ("", None),
    ],
)
def test_parse_callback(data: str, expected: object) -> None:
    assert parse_callback(data) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<b>open", "unclosed"),
        ("<b><i>x</b></i>", "does not close"),
        ("<div>x</div>", "not allowed"),
        ('<b class="x">x</b>', "attributes"),
        ("<a>x</a>", "without href"),
        ("fish & chips", "bare '&'"),
        ("1 < 2", "bare '<'"),
        ("x" * 4097, "longer than"),
    ],
)
def test_html_checker_rejects_what_telegram_rejects(text: str, problem: str) -> None:
    assert any(problem in p for p in html_problems(text)), html_problems(text)


def test_html_checker_accepts_telegram_html() -> None:
    ok = (
        "<b>a</b> <i>b</i> <u>c</u> <s>d</s> <code>e</code> <pre>f</pre> <blockquote>g</blockquote>"
    )
    assert html_problems(ok + ' <a href="https://x.org/?a=1&amp;b=2">h</a> &lt;&gt;&quot;') == []
    assert utf16_len("😀") == 2


@pytest.mark.parametrize(
    ("explicit", "telegram", "text", "expected"),
    [
        ("th", "ko", "Hello", "th"),
        (None, "ko-KR", "Hello", "ko"),
        (None, "vi", None, "vi"),
        (None, "pt-br", "캄보디아 고수익 알바", "ko"),
        (None, None, "งานแอดมิน รายได้ดี", "th"),
        (None, "zh-hans", "Tuyển nhân viên lương cao", "vi"),
        (None, None, "Customer service in Cambodia", "en"),
        ("fr", None, None, "en"),
        (None, "EN_us", "캄보디아", "en"),
    ],
)
def test_choose_language(
    explicit: str | None, telegram: str | None, text: str | None, expected: str
) -> None:
    assert choose_language(explicit, telegram, text) == expected


def test_an_unsupported_language_gets_english_not_an_error(kb: Knowledge) -> None:
    out = compose_reply(LURE, "fr", kb, today=TODAY)
    assert_valid(out.parts)
    assert kb.catalogs.text("en", reply._RISK[Risk.HIGH]) in text_of(out.parts)
    assert compose_message("help", "zz", kb).parts == compose_message("help", "en", kb).parts
