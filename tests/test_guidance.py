"""Guidance data: only sourced, verbatim facts load, routing picks the right lines, and a
broken file is refused with file:line while a reload keeps the last good data."""

from __future__ import annotations

import dataclasses
import datetime
import re
import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.core import reply
from bot.core.guidance import (
    DESTINATIONS,
    Advisory,
    Contact,
    Guidance,
    Procedure,
    advisory_block,
    load_guidance,
)
from bot.core.knowledge import KnowledgeHolder
from bot.core.model import LANGUAGES
from bot.i18n import Catalogs, load_catalogs
from bot.packs.yamlsafe import load_yaml

GUIDANCE = PROJECT_ROOT / "rules" / "guidance"
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BEFORE_END = datetime.date(2026, 5, 1)
TODAY = datetime.date(2026, 11, 22)  # after the stored end date 2026-07-31


@pytest.fixture(scope="module")
def guide() -> Guidance:
    loaded, issues = load_guidance(GUIDANCE, None)
    assert loaded is not None, [str(i) for i in issues]
    assert issues == []
    return loaded


@pytest.fixture(scope="module")
def cat() -> Catalogs:
    catalogs, _ = load_catalogs(PROJECT_ROOT / "locales", tuple(reply.messages().values()))
    assert catalogs is not None
    return catalogs


def _numbers(guide: Guidance, lang: str, dests: tuple[str, ...], use: str) -> set[str]:
    return {n.value for c in guide.contacts_for(lang, dests, use) for n in c.numbers}


@pytest.mark.parametrize(
    ("lang", "dests", "expected"),
    [
        ("ko", ("KH",), {"+82-2-3210-0404", "117"}),
        ("ko", (), {"+82-2-3210-0404"}),
        ("th", ("KH",), {"1300", "+66 2 572 8442", "117"}),
        ("th", (), {"1300", "+66 2 572 8442"}),
        ("vi", ("MM",), {"111", "+84 981 84 84 84"}),
        ("en", ("KH",), {"117"}),
        ("en", ("PH",), {"1343"}),
    ],
)
def test_reply_routing_by_language_and_destination(
    guide: Guidance, lang: str, dests: tuple[str, ...], expected: set[str]
) -> None:
    assert expected <= _numbers(guide, lang, dests, "reply")


def test_routing_never_crosses_nationalities(guide: Guidance) -> None:
    for dests in [(), *((d,) for d in DESTINATIONS)]:
        assert "+82-2-3210-0404" not in _numbers(guide, "th", dests, "abroad")
        assert "111" not in _numbers(guide, "ko", dests, "abroad")
        assert "1300" not in _numbers(guide, "vi", dests, "reply")
        assert "117" not in _numbers(guide, "en", dests, "reply") or "KH" in dests


def test_abroad_routes(guide: Guidance) -> None:
    assert {"+855-979-117-117", "0979-117-117"} <= _numbers(guide, "ko", ("KH",), "abroad")
    assert "+95 966 088 8998" in _numbers(guide, "vi", ("MM",), "abroad")
    assert [p.id for p in guide.procedures_for("ko", ("KH",))] == ["kr-mofa-held-in-cambodia"]
    assert guide.procedures_for("en", ("KH",)) == ()


def test_every_loaded_entry_has_a_source_and_check_date(guide: Guidance) -> None:
    entries: list[Contact | Procedure | Advisory] = [
        *guide.contacts,
        *guide.procedures,
        *guide.advisories,
    ]
    assert entries
    for entry in entries:
        assert entry.sources, entry.id
        assert all(s.url.startswith(("https://", "http://")) for s in entry.sources), entry.id
        assert all(
            s.date is None or re.match(r"^\d{4}(-\d{2}){0,2}$", s.date) for s in entry.sources
        )
        assert ISO_DAY.match(entry.checked), entry.id


def test_only_verbatim_entries_load(guide: Guidance) -> None:
    doc, _ = load_yaml(GUIDANCE / "contacts.yaml")
    assert doc is not None
    skipped = {c["id"] for c in doc.data["contacts"] if c["confidence"] != "verbatim"}
    assert {"kr-embassy-kh-main", "vn-embassy-kh", "kh-1288"} <= skipped
    assert not skipped & {c.id for c in guide.contacts}


def test_names_exist_for_every_audience_language(guide: Guidance) -> None:
    for contact in guide.contacts:
        assert set(contact.audience) <= set(contact.name), contact.id
    for advisory in guide.advisories:
        assert set(advisory.audience) <= set(advisory.area), advisory.id


def test_korean_bans_cover_the_lure_regions(guide: Guidance) -> None:
    bans = {
        r for a in guide.advisories if a.kind == "ban" and "ko" in a.audience for r in a.regions
    }
    assert {"poipet", "bavet", "bokor", "myawaddy", "golden-triangle-sez"} <= bans
    assert guide.advisories_for("en", ["poipet"]) == ()
    assert [a.kind for a in guide.advisories_for("vi", ["kk-park"])] == ["avoid"]


def test_ban_wording_before_and_after_the_stored_end_date(guide: Guidance, cat: Catalogs) -> None:
    (korean,) = guide.advisories_for("ko", ["poipet"])
    ban = dataclasses.replace(korean, area={"en": "Poipet", **korean.area})  # English wording
    during = advisory_block(cat, "en", ban, BEFORE_END)
    after = advisory_block(cat, "en", ban, TODAY)
    for text in (during, after):
        assert "2025-10-16" in text and "2026-07-31" in text
        assert "article 26" in text and "1 year(s)" in text and "KRW 10,000,000" in text
    assert "may have been extended" not in during and "If the ban is still in force" not in during
    assert "That date has passed" in after and "Check 0404.go.kr" in after
    assert "If the ban is still in force" in after


# --- broken copies -----------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "guidance"
    shutil.copytree(GUIDANCE, target)
    return target


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` with `new`; return the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text[:at].count("\n") + 1


@pytest.mark.parametrize(
    ("name", "old", "new", "code"),
    [
        ("contacts.yaml", "    show: [reply, abroad]", "    shown: [reply, abroad]", "E101"),
        ("contacts.yaml", 'checked: "2026-11-22"', "checked: 2026-11-22", "E103"),
        (
            "contacts.yaml",
            '      - {value: "+82-2-3210-0404"',
            '      - {value: "call +82"',
            "E103",
        ),
        ("contacts.yaml", '    name:\n      ko: "외교부', '    name:\n      en: "외교부', "G002"),
        ("contacts.yaml", "id: kh-police-telegram\n", "id: kr-consular-call-center\n", "G001"),
        ("contacts.yaml", "contacts: [kh-police-telegram,", "contacts: [kh-embassy-typo,", "G003"),
        ("contacts.yaml", "steps: [step.kh-save-telegram,", "steps: [step.kh-typo,", "G004"),
        ("advisories.yaml", "penalty: kr-passport-act", "penalty: kr-typo", "G008"),
        ("advisories.yaml", 'until: "2026-07-31"', 'until: "2020-01-01"', "G009"),
        ("advisories.yaml", "kind: ban", "kind: prohibited", "E103"),
    ],
)
def test_broken_guidance_is_refused_with_file_and_line(
    tmp_path: Path, name: str, old: str, new: str, code: str
) -> None:
    folder = _copy(tmp_path)
    line = _edit(folder / name, old, new)
    loaded, issues = load_guidance(folder, None)
    assert loaded is None
    found = [i for i in issues if i.code == code]
    assert found, [str(i) for i in issues]
    assert found[0].path.endswith(name)
    assert line <= found[0].line <= line + 2, str(found[0])


def test_verbatim_contact_without_sources_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    text = (folder / "contacts.yaml").read_text(encoding="utf-8")
    start = text.index("    sources:\n", text.index("id: th-1300"))
    end = text.index("    checked:", start)
    (folder / "contacts.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    loaded, issues = load_guidance(folder, None)
    assert loaded is None and any(i.code == "E102" and "sources" in i.message for i in issues)


def test_unknown_region_is_reported_once_regions_exist(tmp_path: Path) -> None:
    loaded, issues = load_guidance(GUIDANCE, frozenset({"poipet", "bavet"}))
    assert loaded is not None  # a warning: the advisory just never shows
    unknown = {i.message.split("'")[1] for i in issues if i.code == "W006"}
    assert "bokor" in unknown and "poipet" not in unknown
    assert all(i.path.endswith("advisories.yaml") and i.line > 0 for i in issues)


def test_hot_reload_keeps_the_last_good_guidance_and_locales(shipped_copy: Path) -> None:
    holder = KnowledgeHolder(shipped_copy / "rules", shipped_copy / "locales")
    before = holder.current
    contacts = shipped_copy / "rules" / "guidance" / "contacts.yaml"
    line = _edit(contacts, "    destinations: [KH]\n", "    destinations: [XX]\n")
    po = shipped_copy / "locales" / "vi" / "LC_MESSAGES" / "lurecheck.po"
    _edit(po, 'msgctxt "forget_done"', '#, fuzzy\nmsgctxt "forget_done"')
    issues = holder.reload()
    assert holder.current is before
    assert any(i.path.endswith("contacts.yaml") and i.line == line for i in issues)
    assert any(i.path.endswith("lurecheck.po") and i.code == "L005" for i in issues)
    shutil.copy(GUIDANCE / "contacts.yaml", contacts)
    shutil.copy(PROJECT_ROOT / "locales" / "vi" / "LC_MESSAGES" / "lurecheck.po", po)
    assert holder.reload() == []
    assert holder.current is not before


def test_every_language_has_contacts_without_a_destination(guide: Guidance) -> None:
    for lang in LANGUAGES:
        assert guide.contacts_for(lang, (), "abroad"), lang
