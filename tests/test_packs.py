"""Pack validation: the shipped packs pass; broken copies fail with file:line messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.core.engine import Engine
from bot.core.knowledge import KnowledgeHolder
from bot.packs.errors import PackError
from bot.packs.lint import lint
from bot.packs.selftest import run_examples
from tests.conftest import MakePack, rule_yaml

LOCATED = re.compile(r"^(?P<path>[^:]+\.yaml):(?P<line>\d+):(?P<col>\d+): (?P<code>[EWTY]\d{3}) ")

GOOD = rule_yaml(
    "free-travel",
    'terms: {en: ["free flight"]}',
    '- {lang: en, text: "free flight", expect: ["free flight"]}',
    '- {lang: en, text: "paid flight"}',
    category="lure.free-travel",
)


def codes(issues: list) -> set[str]:  # type: ignore[type-arg]
    return {i.code for i in issues}


def test_shipped_packs_lint_clean_and_pass_their_examples() -> None:
    issues = lint(PROJECT_ROOT / "rules", PROJECT_ROOT / "locales")
    assert [str(i) for i in issues if not i.code.startswith("W")] == []
    report = run_examples(Engine.load(PROJECT_ROOT / "rules"))
    assert report.checked > 0 and [str(f) for f in report.failures] == []


def test_every_shipped_rule_cites_sources_and_tests_each_language() -> None:
    engine = Engine.load(PROJECT_ROOT / "rules")
    for rule in engine.rules.values():
        assert rule.references, rule.id
        for lang in rule.match.languages & {"ko", "en", "th", "vi"}:
            assert any(e.lang == lang for e in rule.examples_match), (rule.id, lang)
            assert any(e.lang == lang for e in rule.examples_no_match), (rule.id, lang)


@pytest.mark.parametrize(
    ("broken", "code", "marker"),
    [
        (GOOD.replace("references:", "refrences:"), "E101", "refrences:"),
        (
            GOOD.replace("status: experimental", "status: experimental\nstatus: stable"),
            "Y002",
            "status: stable",
        ),
        (GOOD.replace('en: ["free flight"]', "en: [no]"), "E103", "en: [no]"),
        (GOOD + "date: 2026-01-05\n", "E103", "date: 2026"),
        (GOOD.replace("severity: medium", "severity: extreme"), "E304", "severity:"),
        (GOOD.replace("category: lure.free-travel", "category: lure.unknown"), "E303", "category:"),
        (GOOD.replace('terms: {en: ["free flight"]}', "regex: ['(a']"), "E403", "regex:"),
        (GOOD.replace("id: free-travel", "id: other-name"), "E302", "id: other"),
        (GOOD.replace('lang: en, text: "paid', 'lang: ko, text: "paid'), "E306", "lang: ko"),
        (GOOD.replace("match:\n  terms", "match:\n  terms: {}\n  old_terms"), "E101", "old_terms"),
        (GOOD.replace("title: {en", 'title: {xx: "t", en'), "E101", "title:"),
        ("id: [unclosed\n", "Y001", None),
        ("", "Y006", None),
    ],
)
def test_broken_rule_fails_with_file_line(
    make_pack: MakePack, broken: str, code: str, marker: str | None
) -> None:
    lines = broken.splitlines()
    line = next(n for n, text in enumerate(lines, 1) if marker in text) if marker else None
    rules_dir = make_pack({"lures/free-travel.yaml": broken})
    issues = lint(rules_dir, rules_dir.parent / "locales")
    found = [i for i in issues if i.code == code]
    assert found, [str(i) for i in issues]
    assert found[0].path.endswith("free-travel.yaml") and found[0].line >= 1
    if line is not None:
        assert found[0].line == line, str(found[0])
    assert LOCATED.match(str(found[0]))
    with pytest.raises(PackError):
        Engine.load(rules_dir)


def test_unknown_key_suggests_the_right_one(make_pack: MakePack) -> None:
    rules_dir = make_pack({"lures/free-travel.yaml": GOOD.replace("references:", "refrences:")})
    message = next(i.message for i in lint(rules_dir, rules_dir) if i.code == "E101")
    assert "did you mean 'references'" in message


def test_unquoted_yes_no_gets_a_hint(make_pack: MakePack) -> None:
    rules_dir = make_pack(
        {"lures/free-travel.yaml": GOOD.replace('en: ["free flight"]', "en: [no]")}
    )
    message = next(i.message for i in lint(rules_dir, rules_dir) if i.code == "E103")
    assert "put it in quotes" in message


def test_all_errors_are_collected_not_just_the_first(make_pack: MakePack) -> None:
    bad_one = GOOD.replace("references:", "refrences:")
    bad_two = GOOD.replace("id: free-travel", "id: free-travel-two").replace(
        "severity: medium", "severity: extreme"
    )
    rules_dir = make_pack(
        {"lures/free-travel.yaml": bad_one, "lures/free-travel-two.yaml": bad_two}
    )
    with pytest.raises(PackError) as caught:
        Engine.load(rules_dir)
    assert {"E101", "E304"} <= codes(caught.value.issues)


def test_duplicate_ids_across_files(make_pack: MakePack) -> None:
    rules_dir = make_pack({"lures/free-travel.yaml": GOOD, "regions/free-travel.yaml": GOOD})
    assert "E301" in codes(lint(rules_dir, rules_dir))


def test_unknown_reference_is_reported(make_pack: MakePack) -> None:
    rules_dir = make_pack({"lures/free-travel.yaml": GOOD.replace("[test-source]", "[nowhere]")})
    assert "E504" in codes(lint(rules_dir, rules_dir))


def test_bad_pack_settings(make_pack: MakePack) -> None:
    rules_dir = make_pack(
        {"lures/free-travel.yaml": GOOD},
        pack="schema: 1\nversion: x\ncategories: {}\nseverities: {}\n",
    )
    issues = lint(rules_dir, rules_dir)
    assert any(i.path.endswith("pack.yaml") and i.line > 0 for i in issues)


def test_combination_naming_no_category_is_reported(make_pack: MakePack) -> None:
    from tests.conftest import PACK_YAML

    pack = PACK_YAML.replace('all: ["region.*", "lure.*"]', 'all: ["region.*", "nope.*"]')
    rules_dir = make_pack({"lures/free-travel.yaml": GOOD}, pack=pack)
    found = [i for i in lint(rules_dir, rules_dir) if i.code == "E202"]
    assert [i.message for i in found] == ["'nope.*' matches no declared category"]
    assert found[0].path.endswith("pack.yaml") and found[0].line > 1


def test_failing_examples_are_reported_with_their_line(make_pack: MakePack) -> None:
    wrong = GOOD.replace('text: "paid flight"', 'text: "free flight again"').replace(
        'expect: ["free flight"]', 'expect: ["free bus"]'
    )
    report = run_examples(Engine.load(make_pack({"lures/free-travel.yaml": wrong})))
    lines = wrong.splitlines()
    expected_lines = [n for n, text in enumerate(lines, 1) if "free bus" in text or "again" in text]
    assert [(f.code, f.line) for f in report.failures] == list(
        zip(["T003", "T002"], expected_lines, strict=True)
    )


def test_hot_reload_keeps_old_packs_on_a_bad_file(shipped_copy: Path) -> None:
    rules_dir = shipped_copy / "rules"
    holder = KnowledgeHolder(rules_dir, shipped_copy / "locales")
    before = holder.current
    new_rule = (
        GOOD.replace("id: free-travel", "id: zz-reload-probe")
        .replace('"free flight"]', '"zqx probe phrase"]')
        .replace(
            'text: "free flight", expect: ["free flight"]',
            'text: "zqx probe phrase", expect: ["zqx probe phrase"]',
        )
    )
    path = rules_dir / "lures" / "zz-reload-probe.yaml"
    path.write_text(new_rule.replace("references:", "refrences:"), encoding="utf-8")
    issues = holder.reload()
    assert issues and issues[0].code == "E101" and issues[0].path.endswith("zz-reload-probe.yaml")
    assert holder.current is before  # the old packs keep serving
    assert not before.engine.analyse("zqx probe phrase").findings
    path.write_text(new_rule, encoding="utf-8")
    assert holder.reload() == []
    assert holder.current is not before
    assert holder.current.engine.analyse("zqx probe phrase").findings
