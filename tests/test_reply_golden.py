"""Golden replies through the real engine, rule packs, guidance data and locales.

For a representative lure in each language the reply must carry the risk level, every
finding's evidence, the contacts for that language and destination, and be valid
Telegram HTML under 4,096 UTF-16 units. Benign messages must never be called "safe".
"""

from __future__ import annotations

import datetime
import html
import re

import pytest

from bot.cli import main
from bot.config import locales_dir_from_env, rules_dir_from_env
from bot.core import reply
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.model import Risk
from bot.core.reply import compose_abroad_help, compose_reply, html_problems, utf16_len

TODAY = datetime.date(2026, 11, 22)
SAFE_WORDS = re.compile(r"safe|안전|ปลอดภัย|an toàn", re.I)

LURES = {
    "ko": "캄보디아 포이펫 카지노 고객상담 알바 모집! 경력 무관, 월 500만원 이상, "
    "항공권 지원 숙식 제공. 텔레그램으로 연락주세요",
    "en": "Urgent hiring: customer service in Poipet, Cambodia. No experience needed, "
    "salary $3000/month, free flight and free accommodation. Contact us on Telegram.",
    "th": "รับสมัครแอดมินทำงานที่ปอยเปต กัมพูชา ไม่ต้องมีประสบการณ์ เงินเดือน 50,000 บาท "
    "ฟรีตั๋วเครื่องบิน ที่พักฟรี ติดต่อทางเทเลแกรม",
    "vi": "Tuyển CSKH làm việc tại Poipet, Campuchia. Không cần kinh nghiệm, lương 30 "
    "triệu/tháng, bao vé máy bay, bao ăn ở. Liên hệ Telegram.",
}
BENIGN = {
    "ko": "내일 점심 같이 먹을래요? 회사 앞 국수집 어때요.",
    "en": "See you at lunch tomorrow, the noodle place near the office?",
    "th": "พรุ่งนี้กินข้าวเที่ยงด้วยกันไหม ร้านก๋วยเตี๋ยวหน้าออฟฟิศ",
    "vi": "Mai đi ăn trưa cùng nhau nhé, quán phở gần công ty?",
}
CONTACTS_FOR_CAMBODIA = {
    "ko": ["+82-2-3210-0404", "117"],
    "en": ["117", "embassy in Cambodia"],
    "th": ["1300", "+66 2 572 8442", "117"],
    "vi": ["111", "+84 981 84 84 84", "117"],
}


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    """The packs the CLI would load ($LURECHECK_RULES_DIR etc., else the shipped ones)."""
    return load_knowledge(rules_dir_from_env(), locales_dir_from_env())


def _visible(parts: tuple[str, ...]) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", "\n\n".join(parts)))


def _valid(parts: tuple[str, ...]) -> None:
    assert parts
    for part in parts:
        assert html_problems(part) == [], part
        assert utf16_len(part) <= 4096


@pytest.mark.parametrize("lang", sorted(LURES))
def test_golden_lure_reply(kb: Knowledge, lang: str) -> None:
    result = kb.engine.analyse(LURES[lang])
    assert result.language == lang
    assert result.risk.at_least(Risk.MEDIUM) and "KH" in result.destinations
    out = compose_reply(result, lang, kb, today=TODAY)
    _valid(out.parts)
    joined = "\n\n".join(out.parts)
    seen = _visible(out.parts)
    assert kb.catalogs.text(lang, reply._RISK[result.risk]) in seen
    for finding in result.findings:
        assert kb.engine.rules[finding.rule].title[lang] in seen
        for span in finding.evidence[: reply.MAX_EVIDENCE_PER_SIGN]:
            assert reply._quote(span.text) in joined, span.text
    for expected in CONTACTS_FOR_CAMBODIA[lang]:
        assert expected in seen, expected
    assert ("여행금지" in seen) == (lang == "ko")  # Korea's ban, for Korean readers only
    assert not SAFE_WORDS.search(seen)


@pytest.mark.parametrize("lang", sorted(BENIGN))
def test_golden_benign_reply_never_says_safe(kb: Knowledge, lang: str) -> None:
    result = kb.engine.analyse(BENIGN[lang])
    assert result.findings == () and result.risk is Risk.NONE
    out = compose_reply(result, lang, kb, today=TODAY)
    _valid(out.parts)
    seen = _visible(out.parts)
    assert kb.catalogs.text(lang, reply.NONE_FOUND) in seen
    assert not SAFE_WORDS.search(seen)


def test_golden_abroad_help_for_a_korean_in_cambodia(kb: Knowledge) -> None:
    result = kb.engine.analyse(LURES["ko"])
    out = compose_reply(result, "ko", kb, today=TODAY)
    abroad = reply.parse_callback(out.buttons[-1][0].data)
    assert isinstance(abroad, reply.AbroadHelp)
    help_reply = compose_abroad_help(abroad.lang, abroad.destinations, kb)
    _valid(help_reply.parts)
    seen = _visible(help_reply.parts)
    assert "+855-979-117-117" in seen and "GPS" in seen and "0404.go.kr" in seen


def test_every_region_rule_with_a_korean_ban_shows_it(kb: Knowledge) -> None:
    banned = {r for a in kb.guidance.advisories if a.kind == "ban" for r in a.regions}
    for rule_id in sorted(banned & set(kb.engine.rules)):
        advisories = kb.guidance.advisories_for("ko", [rule_id])
        assert any(a.kind == "ban" for a in advisories), rule_id


@pytest.mark.parametrize("lang", sorted(LURES))
def test_cli_prints_the_exact_reply(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", LURES[lang], "--reply", "--lang", lang])
    printed = capsys.readouterr().out
    assert code == 0
    fresh = load_knowledge(rules_dir_from_env(), locales_dir_from_env())  # same packs as the CLI
    expected = compose_reply(fresh.engine.analyse(LURES[lang]), lang, fresh)
    assert printed.strip() == "\n\n".join(expected.parts).strip()


def test_every_advisory_region_is_a_real_region_rule(kb: Knowledge) -> None:
    assert [str(w) for w in kb.warnings if w.code == "W006"] == []
