"""The shipped rule packs: they load, their own examples pass, and they give the
verdicts the project promises on the sentences named in the acceptance criteria."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.core.engine import Engine
from bot.core.model import Risk
from bot.packs.lint import lint
from bot.packs.selftest import run_examples

RULES = PROJECT_ROOT / "rules"
LANGS = ("ko", "en", "th", "vi")
# Ids other modules rely on (travel-ban notices in rules/guidance/advisories.yaml).
REGION_IDS = {
    "poipet": "KH", "bavet": "KH", "bokor": "KH", "sihanoukville": "KH", "phnom-penh": "KH",
    "o-smach": "KH", "myawaddy": "MM", "kk-park": "MM", "shwe-kokko": "MM", "tachileik": "MM",
    "shan-state": "MM", "kayin-state": "MM", "golden-triangle-sez": "LA", "mae-sot": "TH",
    "pogo-hubs": "PH",
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(RULES)


def test_shipped_packs_lint_clean_and_pass_their_examples(engine: Engine) -> None:
    issues = lint(RULES, PROJECT_ROOT / "locales")
    assert [str(i) for i in issues if i.path.startswith(("rules/lures", "rules/regions"))
            or "pack.yaml" in i.path or "sources.yaml" in i.path] == []
    report = run_examples(engine)
    assert report.failures == ()
    assert report.checked > 300


def test_every_documented_region_ships_with_its_country(engine: Engine) -> None:
    for rule_id, country in REGION_IDS.items():
        rule = engine.rules[rule_id]
        assert rule.category.startswith("region."), rule_id
        assert rule.country == country, rule_id


def test_word_rules_cover_all_four_languages(engine: Engine) -> None:
    for rule in engine.rules.values():
        if rule.match.terms:
            assert set(LANGS) <= set(rule.match.terms), f"{rule.id} lacks a language"


def test_every_cited_source_is_complete_and_used(engine: Engine) -> None:
    data = yaml.safe_load((PROJECT_ROOT / "seeds" / "sources.yaml").read_text(encoding="utf-8"))
    sources = {s["id"]: s for s in data["sources"]}
    cited = {ref for rule in engine.rules.values() for ref in rule.references}
    assert cited <= set(sources)
    assert set(sources) - cited == set(), "sources nobody cites"
    for source in sources.values():
        assert source["url"].startswith(("http://", "https://")), source["id"]
        assert all(source[k] for k in ("title", "publisher", "date", "supports"))


# --- verdicts ----------------------------------------------------------------------

ACCEPTANCE_LURES = {
    "en": "Poipet casino customer service, $1500/month, free flight, contact @hr_kh",
    "ko": "포이펫 카지노 고객 상담, 월 1500달러, 항공권 무료 제공, 연락 @hr_kh",
    "th": "งานบริการลูกค้าคาสิโนปอยเปต เงินเดือน 1500 ดอลลาร์ ตั๋วเครื่องบินฟรี ติดต่อ @hr_kh",
    "vi": "Poipet: CSKH casino, lương 1500$/tháng, miễn phí vé máy bay, liên hệ @hr_kh",
}


@pytest.mark.parametrize("lang", LANGS)
def test_acceptance_lure_is_high_in_every_language(engine: Engine, lang: str) -> None:
    result = engine.analyse(ACCEPTANCE_LURES[lang])
    assert result.risk is Risk.HIGH, result.rule_ids
    assert {"poipet", "unrealistic-pay", "free-travel", "off-platform-contact"} <= set(
        result.rule_ids
    )
    assert result.destinations == ("KH",)


PLACE_PAY_TRAVEL = {
    "en": "Office job in Bavet, 2,000 USD a month, free air ticket",
    "ko": "바벳 사무직 월 800만원 항공권 지원",
    "th": "งานที่เมียวดี เงินเดือน 60,000 บาท บินฟรี",
    "vi": "Làm việc tại Sihanoukville lương 45 triệu/tháng bao vé máy bay",
}


@pytest.mark.parametrize("lang", LANGS)
def test_place_plus_pay_plus_free_travel_is_high(engine: Engine, lang: str) -> None:
    assert engine.analyse(PLACE_PAY_TRAVEL[lang]).risk is Risk.HIGH


@pytest.mark.parametrize(
    "text",
    [
        # A genuine hotel-receptionist ad in Busan.
        "부산 해운대 호텔 프론트 직원 모집. 경력 무관, 월 260만원, 4대보험, 기숙사 제공. "
        "이력서는 이메일로 보내주세요.",
        "Front desk receptionist, 4-star hotel in Busan. Korean and English, shift work, "
        "2,600,000 KRW a month, staff dormitory. Apply through our website.",
        # A Thai news report about workers rescued from Myawaddy.
        "ตำรวจเปิดเผยว่าได้ช่วยเหลือคนไทย 20 คนออกจากเมียวดี หลังถูกหลอกไปทำงานแอดมิน"
        "รายได้สูง ก่อนถูกบังคับให้หลอกลวงคนทางออนไลน์",
        "see you at the bus station at 5",
    ],
)
def test_benign_acceptance_messages_stay_below_medium(engine: Engine, text: str) -> None:
    assert not engine.analyse(text).risk.at_least(Risk.MEDIUM)


@pytest.mark.parametrize(
    "text", ["Hiring customer service staff", "ไม่ต้องมีประสบการณ์", "숙식 제공", "Campuchia"]
)
def test_one_weak_sign_alone_is_low(engine: Engine, text: str) -> None:
    assert engine.analyse(text).risk is Risk.LOW


def test_news_wording_is_context_not_a_warning_sign(engine: Engine) -> None:
    result = engine.analyse("Police said 40 victims were rescued from a scam compound in Poipet")
    assert "context-news" in {f.rule for f in result.context}
    assert not {"context-news", "context-victims"} & set(result.rule_ids)
    assert result.risk is Risk.LOW


def test_reassurance_does_not_buy_a_lower_score(engine: Engine) -> None:
    plain = engine.analyse("Myawaddy office, easy job high pay, free flight")
    reassured = engine.analyse("Myawaddy office, easy job high pay, free flight. Not a scam!")
    assert reassured.score == plain.score


@pytest.mark.parametrize(
    ("text", "fires"),
    [("รายได้ 2,000 บาท/วัน", True), ("ค่าแรง 400 บาท/วัน", False),
     ("일당 40만원", True), ("시급 12,000원", False),
     # The period before a range applies to its upper end too.
     ("งานพิมพ์ข้อมูล วันละ 1,500-2,000 บาท", True),
     # Thousands and decimal separators together: 3,420.00 is not 342,000.
     ("BANGKOK 3,420.00 THB 승인", False), ("US$ 1,500.00 a month", True)],
)
def test_pay_periods_are_converted_before_the_threshold(
    engine: Engine, text: str, fires: bool
) -> None:
    assert ("unrealistic-pay" in engine.analyse(text).rule_ids) is fires


def test_recruiter_phone_in_compound_country_points_there(engine: Engine) -> None:
    result = engine.analyse("Call +95 9 421 158 030 for the job")
    assert "foreign-recruiter-phone" in result.rule_ids
    assert "MM" in result.destinations


def test_rules_dir_has_one_rule_per_file_named_by_id() -> None:
    for path in sorted(RULES.glob("[lr]*/*.yaml")):
        assert yaml.safe_load(Path(path).read_text(encoding="utf-8"))["id"] == path.stem
