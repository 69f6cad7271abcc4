"""The engine on a small purpose-built pack: what fires, what is quoted, what it scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.engine import MAX_CHARS, Engine
from bot.core.model import Risk
from tests.conftest import MakePack, rule_yaml

RULES = {
    "lures/free-travel.yaml": rule_yaml(
        "free-travel",
        """
        terms:
          en: ["free flight", "free accommodation"]
          ko: ["항공권 지원", "숙식 제공"]
          th: ["ฟรีตั๋วเครื่องบิน"]
          vi: ["bao ăn ở", "bao vé máy bay"]
        """,
        """
        - {lang: en, text: "free flight", expect: ["free flight"]}
        - {lang: ko, text: "항공권 지원", expect: ["항공권 지원"]}
        - {lang: th, text: "ฟรีตั๋วเครื่องบิน", expect: ["ฟรีตั๋วเครื่องบิน"]}
        - {lang: vi, text: "bao an o", expect: ["bao an o"]}
        """,
        """
        - {lang: en, text: "flight delayed"}
        - {lang: ko, text: "항공권 가격"}
        - {lang: th, text: "ตั๋วรถทัวร์"}
        - {lang: vi, text: "vé xe"}
        """,
        category="lure.free-travel",
    ),
    "regions/poipet.yaml": rule_yaml(
        "poipet",
        """
        terms:
          en: ["Poipet"]
          ko: ["포이펫"]
        spaceless: true
        fuzzy: 85
        """,
        """
        - {lang: en, text: "Poipet", expect: ["Poipet"]}
        - {lang: ko, text: "포이펫", expect: ["포이펫"]}
        """,
        """
        - {lang: en, text: "a pet"}
        - {lang: ko, text: "포인트"}
        """,
        category="region.compound",
        extra="country: KH\n",
    ),
    "lures/pay.yaml": rule_yaml(
        "pay",
        """
        amounts:
          monthly_at_least: {USD: 1000, KRW: 5000000, VND: 25000000, THB: 40000}
          monthly_at_most: {USD: 100000}
        """,
        '- {lang: en, text: "$1500/month", expect: ["$1500"]}',
        '- {lang: en, text: "$900/month"}',
        severity="high",
    ),
    "lures/contact.yaml": rule_yaml(
        "contact",
        """
        links: [t.me, wa.me, line.me]
        handles: true
        regex: ['\\btelegram\\b']
        """,
        '- {lang: en, text: "t.me/hr_kh"}',
        '- {lang: en, text: "email hr@example.com"}',
        category="lure.off-platform",
        severity="low",
    ),
    "lures/phone.yaml": rule_yaml(
        "phone",
        "phones: [KH, MM, LA, PH]",
        '- {lang: en, text: "call +855 12 345 678"}',
        '- {lang: en, text: "call +82 2 3210 0404"}',
        category="contact.foreign-phone",
        severity="low",
    ),
    "lures/news.yaml": rule_yaml(
        "news",
        """
        terms:
          en: ["rescued", "police said"]
        """,
        '- {lang: en, text: "workers were rescued"}',
        '- {lang: en, text: "workers were hired"}',
        category="context.reporting",
        severity="mitigating",
    ),
    "lures/no-experience.yaml": rule_yaml(
        "no-experience",
        """
        terms:
          en: ["no experience"]
        """,
        '- {lang: en, text: "no experience needed"}',
        '- {lang: en, text: "experience needed"}',
        extra='unless:\n  terms:\n    en: ["internship programme"]\n',
    ),
}


@pytest.fixture
def engine(make_pack: MakePack) -> Engine:
    return Engine.load(make_pack(RULES))


def fired(engine: Engine, text: str) -> dict[str, list[str]]:
    return {f.rule: [s.text for s in f.evidence] for f in engine.analyse(text).findings}


def test_terms_in_each_language_fire_and_quote_the_original(engine: Engine) -> None:
    assert fired(engine, "FREE   FLIGHT and more") == {"free-travel": ["FREE   FLIGHT"]}
    assert fired(engine, "캄보디아 항공권지원!") == {"free-travel": ["항공권지원"]}
    assert fired(engine, "งานดี ฟรีตั๋วเครื่องบิน") == {"free-travel": ["ฟรีตั๋วเครื่องบิน"]}
    assert fired(engine, "Tuyển gấp, BAO ĂN Ở") == {"free-travel": ["BAO ĂN Ở"]}


def test_text_typed_letter_by_letter(engine: Engine) -> None:
    # Vietnamese "ở" is a one-letter word: joining letters word by word would glue
    # "flight" and "Poipet" together, so spelled-out text is also read letter by letter.
    found = fired(engine, "Job: f r e e f l i g h t ở P o i p e t nhé")
    assert {"free-travel", "poipet"} <= set(found)
    assert "pay" in fired(engine, "l ư ơ n g 3 0 t r i ệ u / tháng")  # amounts, spaced out
    assert "pay" in fired(engine, "เ งิ น เ ดื อ น 5 0 , 0 0 0 บ า ท")
    assert fired(engine, "a b c d e f g h") == {}  # spelled-out nonsense stays quiet


def test_latin_terms_need_word_boundaries(engine: Engine) -> None:
    assert fired(engine, "carefree flighty people") == {}


def test_evidence_survives_obfuscation(engine: Engine) -> None:
    result = engine.analyse("Job in Р o i p e t")
    assert [s.text for s in result.findings[0].evidence] == ["Р o i p e t"]
    text = "work in Po\u200bipet now"
    span = engine.analyse(text).findings[0].evidence[0]
    assert text[span.start : span.end] == span.text == "Po\u200bipet"


def test_spaceless_names_keep_word_edges(engine: Engine) -> None:
    assert "poipet" in fired(engine, "Poi pet casino")
    assert "poipet" not in fired(engine, "apoipetal")


def test_fuzzy_catches_misspelt_names_only_when_close(engine: Engine) -> None:
    assert fired(engine, "casino in Poipett")["poipet"] == ["Poipett"]
    assert "poipet" not in fired(engine, "a pipette")


def test_fuzzy_variants_follow_rapidfuzz_cutoff() -> None:
    from bot.core.match import one_slip_variants

    variants = one_slip_variants("poipet", 85)
    assert {"poipt", "poippet", "poipett"} <= variants  # one letter missing or added
    assert "poipat" not in variants and "piopet" not in variants  # ratio 83 < 85
    assert "poipat" in one_slip_variants("poipet", 80)


def test_amounts_are_read_with_currency_and_period(engine: Engine) -> None:
    assert "pay" in fired(engine, "Salary 1,500 USD per month")
    assert "pay" in fired(engine, "월 500만원 보장")
    assert "pay" in fired(engine, "lương 30 triệu/tháng")
    assert "pay" in fired(engine, "เงินเดือน 50,000 บาท")
    assert "pay" in fired(engine, "$60 a day")  # 26 working days
    assert "pay" in fired(engine, "$18/hour")  # 208 hours a month
    assert "pay" not in fired(engine, "$4/hour, or $800 a month")
    assert "pay" not in fired(engine, "lương 8 triệu")
    assert "pay" not in fired(engine, "We raised $30 million")  # above the cap: not pay
    assert "pay" in fired(engine, "We pay $3,000 a month")


def test_evidence_is_trimmed_to_the_words(engine: Engine) -> None:
    text = "월급\n 월 800만원 보장"
    span = engine.analyse(text).findings[0].evidence[0]
    assert span.text == text[span.start : span.end] and span.text == span.text.strip()


def test_links_handles_phones_and_regex(engine: Engine) -> None:
    assert fired(engine, "DM t.me/hr_kh")["contact"] == ["t.me/hr_kh"]
    assert fired(engine, "contact @hr_kh")["contact"] == ["@hr_kh"]
    assert "contact" not in fired(engine, "mail hr@example.com")
    result = engine.analyse("WhatsApp +855 12 345 678")
    assert "phone" in {f.rule for f in result.findings}
    assert result.destinations == ("KH",)
    assert "phone" in fired(engine, "wa.me/85512345678")


def test_unless_suppresses_a_rule(engine: Engine) -> None:
    assert "no-experience" in fired(engine, "no experience required")
    assert fired(engine, "no experience required, internship programme") == {}


def test_risk_bands_and_combination_bonus(engine: Engine) -> None:
    assert engine.analyse("see you at the bus station at 5").risk is Risk.NONE
    assert engine.analyse("free flight").risk is Risk.LOW
    # 20 region + 20 free travel + 15 bonus = 55
    medium = engine.analyse("Poipet, free flight")
    assert (medium.risk, medium.score, medium.bonuses) == (Risk.MEDIUM, 55, ("place-plus-offer",))
    high = engine.analyse("Poipet casino, $1500/month, free flight, contact @hr_kh")
    assert high.risk is Risk.HIGH and high.score == 20 + 20 + 35 + 10 + 15


def test_a_category_counts_once(engine: Engine) -> None:
    once = engine.analyse("free flight").score
    assert engine.analyse("free flight, free accommodation, free flight").score == once


def test_mitigating_context_lowers_score_but_is_not_a_sign(engine: Engine) -> None:
    result = engine.analyse("Police said workers were rescued in Poipet after a free flight offer")
    assert {f.rule for f in result.findings} == {"poipet", "free-travel"}
    assert [f.rule for f in result.context] == ["news"]
    assert result.score == 20 + 20 + 15 - 30
    assert result.risk is Risk.LOW


def test_never_none_when_a_sign_was_found(engine: Engine) -> None:
    result = engine.analyse("rescued police said free flight")
    assert result.score == 0 and result.risk is Risk.LOW


def test_language_detection(engine: Engine) -> None:
    assert engine.analyse("고수익 알바").language == "ko"
    assert engine.analyse("งานดี").language == "th"
    assert engine.analyse("việc nhẹ lương cao").language == "vi"
    assert engine.analyse("hello").language == "en"


def test_currency_points_at_destination(engine: Engine) -> None:
    assert engine.analyse("Poipet pay 4,000,000 riel").destinations == ("KH",)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\u200b\u200b",
        "🙂" * 500,
        "\x00\x01",
        "a" * 5000,
        "ั" * 300,
        "@" * 100,
        "+" + "1" * 200,
        "$" * 1000,
        "1,0" * 2000,
        "\ud800",
    ],
)
def test_odd_input_never_raises(engine: Engine, text: str) -> None:
    result = engine.analyse(text)
    assert result.risk in set(Risk)


def test_huge_input_is_cut_not_refused(engine: Engine) -> None:
    result = engine.analyse("x " * MAX_CHARS + "free flight")
    assert result.truncated and result.risk is Risk.NONE


def test_shipped_packs_load() -> None:
    from bot.config import PROJECT_ROOT

    engine = Engine.load(PROJECT_ROOT / "rules")
    assert engine.rules and all(
        set(r.title) == {"ko", "en", "th", "vi"} for r in engine.rules.values()
    )


def test_load_rejects_missing_dir(tmp_path: Path) -> None:
    from bot.packs.errors import PackError

    with pytest.raises(PackError):
        Engine.load(tmp_path / "nowhere")
