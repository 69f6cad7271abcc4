"""Evasions recruiters use on keyword filters: the variants `lurecheck eval --obfuscate`
generates, and proof that the shipped packs still catch obfuscated lures."""

from __future__ import annotations

import unicodedata

import pytest

from bot.config import PROJECT_ROOT
from bot.core.engine import Engine
from bot.core.model import LANGUAGES, Risk
from bot.evaluate import OBFUSCATIONS, Row, obfuscate, obfuscated_lures, read_rows

EXAMPLES = PROJECT_ROOT / "seeds" / "examples"
LURE = "Poipet casino customer service, $1500/month, free flight, contact @hr_kh or t.me/hr_kh"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(PROJECT_ROOT / "rules")


def test_variants_are_deterministic_and_leave_contacts_usable() -> None:
    for name in OBFUSCATIONS:
        if name == "no-diacritics":
            continue
        variant = obfuscate(LURE, name)
        assert variant == obfuscate(LURE, name)
        assert variant != LURE, name
        assert "@hr_kh" in variant and "t.me/hr_kh" in variant, name


def test_each_evasion_does_what_it_says() -> None:
    assert obfuscate("Poipet free flight", "spaced") == "P o i p e t free f l i g h t"
    assert obfuscate("Poipet", "homoglyph") == "Роір\u0435t"
    assert obfuscate("Poipet", "leet") == "P01p3t"
    assert obfuscate("ab", "zero-width") == "a\u200bb"
    plain = obfuscate("Việc nhẹ lương cao, đi ngay", "no-diacritics")
    assert plain == "Viec nhe luong cao, di ngay"


def test_thai_marks_stay_on_their_letters() -> None:
    spaced = obfuscate("แอดมิน", "spaced")
    assert spaced == "แ อ ด มิ น"
    assert all(unicodedata.category(part[0])[0] == "L" for part in spaced.split(" "))


def test_only_lures_get_variants_and_vietnamese_gets_the_diacritics_one() -> None:
    rows = [Row("l", "vi", "lure", "Việc nhẹ lương cao ở Campuchia"),
            Row("b", "vi", "benign", "Chào buổi sáng"),
            Row("k", "ko", "lure", "캄보디아 고수익 알바")]
    variants = obfuscated_lures(rows)
    assert {v.id.split("~")[0] for v in variants} == {"l", "k"}
    assert "l~no-diacritics" in {v.id for v in variants}
    assert not any(v.id == "k~no-diacritics" for v in variants)
    assert all(v.label == "lure" and v.kind in OBFUSCATIONS for v in variants)


@pytest.mark.parametrize("name", [n for n in OBFUSCATIONS if n != "no-diacritics"])
def test_acceptance_lure_survives_every_evasion(engine: Engine, name: str) -> None:
    assert engine.analyse(obfuscate(LURE, name)).risk is Risk.HIGH


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="no labelled examples")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_obfuscated_seed_lures_keep_recall_of_at_least_90_percent(
    engine: Engine, lang: str
) -> None:
    rows = [r for r in read_rows(EXAMPLES) if r.lang == lang]
    variants = obfuscated_lures(rows)
    assert len(variants) >= 100
    caught = sum(engine.analyse(v.text).risk.at_least(Risk.MEDIUM) for v in variants)
    assert caught / len(variants) >= 0.90, f"{lang}: {caught}/{len(variants)}"
