"""Translations are complete, current and safe to format, for UI text and rule text alike.

Each check is proven twice: the shipped files pass, and a deliberately broken copy in
tmp_path fails with the right code at the right file and line.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.config import PROJECT_ROOT
from bot.core import reply
from bot.core.engine import Engine
from bot.core.model import LANGUAGES
from bot.i18n import Catalogs, load_catalogs, po_path
from bot.packs.errors import PackError

LOCALES = PROJECT_ROOT / "locales"
EXPECTED = tuple(reply.messages().values())


def test_shipped_locales_load_without_any_issue() -> None:
    catalogs, issues = load_catalogs(LOCALES, EXPECTED)
    assert issues == []
    assert isinstance(catalogs, Catalogs)


def _entries(path: Path) -> set[tuple[str, str]]:
    with path.open("rb") as handle:
        return {(str(m.context), str(m.id)) for m in read_po(handle) if m.id}


def test_template_matches_the_code() -> None:
    """The .pot is what `pybabel extract -k M_:1c,2` produces from bot/ (see docs)."""
    in_code = {
        (context, message)
        for _, _, message, _, context in extract_from_dir(
            PROJECT_ROOT / "bot", keywords={"M_": ((1, "c"), 2)}
        )
    }
    assert in_code == {(m.key, m.text) for m in EXPECTED}
    assert _entries(LOCALES / "lurecheck.pot") == in_code


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_locale_has_exactly_the_template_entries(lang: str) -> None:
    assert _entries(po_path(LOCALES, lang)) == _entries(LOCALES / "lurecheck.pot")


def test_no_compiled_catalogs_are_committed() -> None:
    assert not list(LOCALES.rglob("*.mo"))


def _break(tmp_path: Path, lang: str, key: str, change: str) -> tuple[Path, int]:
    """Copy locales/, apply `change` to the entry with msgctxt `key`; return (file, line)."""
    root = tmp_path / "locales"
    shutil.copytree(LOCALES, root)
    path = po_path(root, lang)
    text = path.read_text(encoding="utf-8")
    start = text.index(f'msgctxt "{key}"')
    end = text.find("\n\n", start)
    end = len(text) if end < 0 else end
    entry = text[start:end]
    msgstr = re.search(r'^msgstr "(.*)"$', entry, re.M)
    assert msgstr is not None
    if change == "remove":
        new = ""
    elif change == "fuzzy":
        new = "#, fuzzy\n" + entry
    elif change == "empty":
        new = entry.replace(msgstr.group(0), 'msgstr ""')
    elif change == "placeholder":
        new = entry.replace(msgstr.group(0), msgstr.group(0).replace("{link}", "{lnk}"))
    elif change == "braces":
        new = entry.replace(msgstr.group(0), msgstr.group(0).replace("{link}", "{link"))
    elif change == "number":
        new = entry.replace(msgstr.group(0), 'msgstr "' + msgstr.group(1) + ' 1300"')
    elif change == "markup":
        new = entry.replace(msgstr.group(0), 'msgstr "<b>' + msgstr.group(1) + '</b>"')
    elif change == "old-english":
        new = re.sub(r'^msgid ".*"$', 'msgid "Rules were reloaded."', entry, count=1, flags=re.M)
    elif change == "syntax":
        new = entry.replace(msgstr.group(0), 'msgstr "unterminated')
    else:
        raise AssertionError(change)
    path.write_text(text[:start] + new + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1  # line of the msgctxt (Babel reports the msgid line)
    return root, line


@pytest.mark.parametrize(
    ("lang", "key", "change", "code"),
    [
        ("th", "reply.none", "remove", "L003"),
        ("ko", "act.no-documents", "fuzzy", "L005"),
        ("vi", "reply.signs", "empty", "L004"),
        ("th", "group_guard_warning", "placeholder", "L006"),
        ("ko", "group_guard_warning", "braces", "L006"),
        ("vi", "guard_off", "number", "L008"),
        ("en", "guard_on", "markup", "L007"),
        ("ko", "reload_ok", "old-english", "L010"),
        ("th", "reload_ok", "syntax", "L002"),
    ],
)
def test_broken_locale_is_refused_with_file_and_line(
    tmp_path: Path, lang: str, key: str, change: str, code: str
) -> None:
    root, line = _break(tmp_path, lang, key, change)
    catalogs, issues = load_catalogs(root, EXPECTED)
    assert catalogs is None
    found = [i for i in issues if i.code == code]
    assert found, [str(i) for i in issues]
    assert found[0].path == str(po_path(root, lang))
    if change not in ("remove", "syntax"):
        assert line <= found[0].line <= line + 3, str(found[0])
    assert re.match(r"^\S+\.po:\d+:\d+: L\d{3} ", str(found[0]))


def test_missing_locale_file_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "locales"
    shutil.copytree(LOCALES, root)
    po_path(root, "vi").unlink()
    catalogs, issues = load_catalogs(root, EXPECTED)
    assert catalogs is None and [i.code for i in issues] == ["L001"]


def test_entry_the_code_no_longer_uses_is_only_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "locales"
    shutil.copytree(LOCALES, root)
    path = po_path(root, "ko")
    with path.open("a", encoding="utf-8") as handle:
        handle.write('\nmsgctxt "gone"\nmsgid "Gone"\nmsgstr "사라짐"\n')
    catalogs, issues = load_catalogs(root, EXPECTED)
    assert catalogs is not None
    assert [i.code for i in issues] == ["W001"]


def test_translation_is_escaped_and_values_fill_placeholders() -> None:
    catalogs, _ = load_catalogs(LOCALES, EXPECTED)
    assert catalogs is not None
    text = catalogs.html("en", reply.MESSAGES["group_guard_warning"], link="<x & y>")
    assert text.endswith("Help: &lt;x &amp; y&gt;")


# --- rule text (title / explain in the rule YAML) ------------------------------------


def rule_text_problems(rules: Mapping[str, object]) -> list[str]:
    """Every rule needs a non-blank title and explanation in all four languages."""
    problems = []
    for rule_id, rule in rules.items():
        for field in ("title", "explain"):
            texts: Mapping[str, str] = getattr(rule, field)
            problems += [
                f"{rule_id}: {field}.{lang} is missing or blank"
                for lang in LANGUAGES
                if not texts.get(lang, "").strip()
            ]
    return problems


def test_every_shipped_rule_is_translated() -> None:
    rules = Engine.load(PROJECT_ROOT / "rules").rules
    assert rules
    assert rule_text_problems(rules) == []


def _rule_files(rules_dir: Path) -> Iterable[Path]:
    return sorted(p for p in rules_dir.rglob("*.yaml") if p.parent.name in ("lures", "regions"))


def test_blank_rule_translation_is_caught(shipped_copy: Path) -> None:
    path = next(iter(_rule_files(shipped_copy / "rules")))
    text = path.read_text(encoding="utf-8")
    title_th = re.search(r"^(title:\n(?:  .*\n)*?  th: )(.*)$", text, re.M)
    assert title_th is not None
    path.write_text(text.replace(title_th.group(0), title_th.group(1) + '"   "'), encoding="utf-8")
    rules = Engine.load(shipped_copy / "rules").rules  # whitespace passes the schema...
    problems = rule_text_problems(rules)  # ...but not the completeness check
    assert problems and "title.th" in problems[0]


def test_empty_rule_translation_is_refused_by_the_loader(shipped_copy: Path) -> None:
    path = next(iter(_rule_files(shipped_copy / "rules")))
    text = path.read_text(encoding="utf-8")
    explain_vi = re.search(r"^(explain:\n(?:  .*\n)*?  vi: )(.*)$", text, re.M)
    assert explain_vi is not None
    path.write_text(text.replace(explain_vi.group(0), explain_vi.group(1) + '""'), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        Engine.load(shipped_copy / "rules")
    issue = caught.value.issues[0]
    assert (
        issue.path.endswith(path.name) and issue.line == text[: explain_vi.start(2)].count("\n") + 1
    )
