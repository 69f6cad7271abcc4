"""`lurecheck rules lint`: every check a pack change must pass, in one report."""

from __future__ import annotations

from pathlib import Path

from bot.core.knowledge import load_knowledge
from bot.core.rule import Rule
from bot.packs.errors import Issue, PackError
from bot.packs.loader import check_rules
from bot.packs.yamlsafe import load_yaml


def sources_file(rules_dir: Path) -> Path:
    """Documented sources live in seeds/sources.yaml beside rules/."""
    return rules_dir.resolve().parent / "seeds" / "sources.yaml"


def known_sources(path: Path) -> tuple[set[str], list[Issue]]:
    doc, issues = load_yaml(path)
    if doc is None or issues:
        return set(), issues
    entries = doc.data.get("sources") if isinstance(doc.data, dict) else None
    if not isinstance(entries, list):
        return set(), [doc.issue((), "E501", "expected a top-level 'sources:' list")]
    ids: set[str] = set()
    required = ("id", "title", "publisher", "date", "url", "supports")
    for i, entry in enumerate(entries):
        missing = [k for k in required if not isinstance(entry, dict) or not entry.get(k)]
        if missing:
            issues.append(
                doc.issue(("sources", i), "E502", f"source is missing {', '.join(missing)}")
            )
            continue
        if entry["id"] in ids:
            issues.append(
                doc.issue(("sources", i, "id"), "E503", f"duplicate source id '{entry['id']}'")
            )
        ids.add(str(entry["id"]))
    return ids, issues


def _reference_issues(rules: tuple[Rule, ...], sources: set[str], where: str) -> list[Issue]:
    return [
        Issue(rule.path, 0, 0, "E504", f"{rule.id}: reference '{ref}' is not listed in {where}")
        for rule in rules
        for ref in rule.references
        if ref not in sources
    ]


def lint(rules_dir: Path, locales_dir: Path) -> list[Issue]:
    _, rules, issues = check_rules(rules_dir)
    path = sources_file(rules_dir)
    sources, source_issues = known_sources(path)
    issues += source_issues
    if not source_issues:
        issues += _reference_issues(rules, sources, str(path.name))
    if not any(not i.code.startswith("W") for i in issues):
        try:
            issues += load_knowledge(rules_dir, locales_dir).warnings  # guidance, locales
        except PackError as exc:
            issues += exc.issues
    return sorted(set(issues))
