"""Read rule packs from `rules/`, validate them, and build the engine's `Rule` objects.

Every problem in every file is collected (not just the first) and reported as
`path:line:col: code message`, so a maintainer fixes a pack in one pass. Codes that
start with W are warnings: shown by `lurecheck rules lint`, but they do not stop the
packs from loading.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema
import re2
from rapidfuzz import process

from bot.core.match import MIN_FUZZY_CHARS, needs_compact
from bot.core.model import LANGUAGES
from bot.core.normalize import term_forms
from bot.core.rule import Combination, Example, Matcher, PackSettings, Rule
from bot.packs.errors import Issue, PackError
from bot.packs.yamlsafe import Document, JsonPath, load_yaml, unquoted_hint

PACK_FILE = "pack.yaml"
# Examples are written in the four reply languages; km/my/lo/zh terms need none.
REPLY_LANGUAGES = frozenset(LANGUAGES)
_UPPER_LITERAL = re.compile(r"(?<!\\)[A-Z]")
# Sub-folders of rules/ that hold other data (contacts, advisories), not rules.
NON_RULE_DIRS = frozenset({"guidance"})


@cache
def schema(name: str) -> dict[str, Any]:
    text = resources.files("bot.packs").joinpath(f"schemas/{name}.schema.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """Replace local `#/$defs/x` references by their content (our schemas do not recurse).

    Resolving references is most of jsonschema's cost; packs are validated at every
    start and reload, so the schema is flattened once.
    """
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline_refs(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    return node


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    raw = schema(name)
    return jsonschema.Draft202012Validator(_inline_refs(raw, raw.get("$defs", {})))


def schema_issues(doc: Document, name: str) -> list[Issue]:
    """Validate a document against a bundled JSON Schema, with positions and hints."""
    validator = _validator(name)
    described = [
        (error, _describe(doc, tuple(error.absolute_path), error))
        for error in validator.iter_errors(doc.data)
    ]
    # A misspelt key also makes its correct spelling "missing": report the typo only.
    suggested = {
        message.split("did you mean '")[1].split("'")[0]
        for _, (_, _, message) in described
        if "did you mean '" in message
    }
    return [
        doc.issue(*found)
        for error, found in described
        if not (error.validator == "required" and _missing_key(error) in suggested)
    ]


def _missing_key(error: jsonschema.ValidationError) -> str:
    return error.message.split("'")[1] if "'" in error.message else ""


def _describe(
    doc: Document, path: JsonPath, error: jsonschema.ValidationError
) -> tuple[JsonPath, str, str]:
    where = ".".join(str(p) for p in path) or "(top level)"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        key = extra[0] if extra else "?"
        guess = process.extractOne(key, allowed, score_cutoff=70) if allowed else None
        hint = f" (did you mean '{guess[0]}'?)" if guess else f"; allowed: {', '.join(allowed)}"
        return (*path, key), "E101", f"unknown key '{key}' in {where}{hint}"
    if error.validator == "required":
        return path, "E102", f"{where}: {error.message}"
    if error.validator in ("type", "pattern", "enum", "const"):
        hint = unquoted_hint(doc, path, error.instance)
        return path, "E103", f"{where}: {error.message}{hint}"
    return path, "E104", f"{where}: {error.message}"


def load_settings(rules_dir: Path) -> tuple[PackSettings | None, list[Issue]]:
    doc, issues = load_yaml(rules_dir / PACK_FILE, _display(rules_dir / PACK_FILE))
    if doc is None or issues:
        return None, issues
    issues = schema_issues(doc, "pack")
    if issues:
        return None, issues
    data = doc.data
    bands = data["bands"]
    if not bands["low"] <= bands["medium"] <= bands["high"]:
        issues.append(doc.issue(("bands",), "E201", "bands must rise: low <= medium <= high"))
    combinations = tuple(
        Combination.expand(c["name"], c["all"], c["bonus"], list(data["categories"]))
        for c in data.get("combinations", [])
    )
    for i, (combo, spec) in enumerate(zip(combinations, data.get("combinations", []), strict=True)):
        for pattern, covered in zip(spec["all"], combo.all_of, strict=True):
            if not covered:
                issues.append(
                    doc.issue(
                        ("combinations", i, "all"),
                        "E202",
                        f"'{pattern}' matches no declared category",
                    )
                )
    settings = PackSettings(
        schema=data["schema"],
        version=data["version"],
        categories=MappingProxyType(dict(data["categories"])),
        severities=MappingProxyType(dict(data["severities"])),
        bands=MappingProxyType(dict(bands)),
        combinations=combinations,
        currency_destinations=MappingProxyType(dict(data.get("currency_destinations", {}))),
        default_fuzzy=data.get("defaults", {}).get("fuzzy", 90),
    )
    return (None if issues else settings), issues


def rule_files(rules_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in rules_dir.rglob("*.yaml")
        if p.name != PACK_FILE and not NON_RULE_DIRS.intersection(p.relative_to(rules_dir).parts)
    )


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def check_rules(rules_dir: Path) -> tuple[PackSettings | None, tuple[Rule, ...], list[Issue]]:
    """Load everything that can be loaded and report every issue (errors and warnings)."""
    settings, issues = load_settings(rules_dir)
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in rule_files(rules_dir):
        doc, file_issues = load_yaml(path, _display(path))
        issues += file_issues
        if doc is None or file_issues:
            continue
        found = schema_issues(doc, "rule")
        if found:
            issues += found
            continue
        rule, found = _build_rule(doc, path, settings)
        issues += found
        if rule is None:
            continue
        if rule.id in seen:
            issues.append(
                doc.issue(("id",), "E301", f"duplicate id '{rule.id}' (also in {seen[rule.id]})")
            )
            continue
        seen[rule.id] = doc.path
        if rule.status != "deprecated":
            rules.append(rule)
    if not rules and settings is not None:
        issues.append(Issue(_display(rules_dir), 0, 0, "E300", "no rules found"))
    return settings, tuple(rules), issues


def load_rules(rules_dir: Path) -> tuple[PackSettings, tuple[Rule, ...]]:
    """Settings and active rules, or PackError listing every error."""
    settings, rules, issues = check_rules(rules_dir)
    errors = [i for i in issues if not i.code.startswith("W")]
    if errors or settings is None:
        raise PackError(errors)
    return settings, rules


def _build_rule(
    doc: Document, path: Path, settings: PackSettings | None
) -> tuple[Rule | None, list[Issue]]:
    data = doc.data
    issues: list[Issue] = []
    if data["id"] != path.stem:
        issues.append(
            doc.issue(("id",), "E302", f"id '{data['id']}' must equal the file name '{path.stem}'")
        )
    if settings is not None:
        if data["category"] not in settings.categories:
            issues.append(
                doc.issue(
                    ("category",),
                    "E303",
                    f"category '{data['category']}' is not declared in {PACK_FILE}",
                )
            )
        if data["severity"] not in settings.severities:
            issues.append(
                doc.issue(
                    ("severity",),
                    "E304",
                    f"severity '{data['severity']}' is not one of {', '.join(settings.severities)}",
                )
            )
    if data["status"] == "deprecated" and not any(
        r["type"] == "obsolete" for r in data.get("related", [])
    ):
        issues.append(
            doc.issue(("status",), "W305", "deprecated rule has no related: obsolete replacement")
        )
    default_fuzzy = settings.default_fuzzy if settings else 90
    match = _matcher(doc, ("match",), default_fuzzy, issues)
    unless = _matcher(doc, ("unless",), default_fuzzy, issues) if "unless" in data else None
    languages = match.languages
    examples: dict[str, tuple[Example, ...]] = {}
    for kind in ("match", "no_match", "known_miss"):
        built = []
        for i, ex in enumerate(data["examples"].get(kind, [])):
            line = doc.where(("examples", kind, i))[0]
            if languages and ex["lang"] not in languages:
                issues.append(
                    doc.issue(
                        ("examples", kind, i, "lang"),
                        "E306",
                        f"example in '{ex['lang']}' but the rule has no {ex['lang']} terms",
                    )
                )
            built.append(Example(ex["lang"], ex["text"], tuple(ex.get("expect", [])), line))
        examples[kind] = tuple(built)
    for lang in sorted(match.languages & REPLY_LANGUAGES):
        for kind in ("match", "no_match"):
            if not any(e.lang == lang for e in examples[kind]):
                issues.append(
                    doc.issue(
                        ("examples", kind),
                        "E307",
                        f"no '{kind}' example in '{lang}' (the rule has {lang} terms)",
                    )
                )
    if issues and any(not i.code.startswith("W") for i in issues):
        return None, issues
    weight = settings.severities[data["severity"]] if settings else 0
    rule = Rule(
        id=data["id"],
        path=doc.path,
        status=data["status"],
        category=data["category"],
        severity=data["severity"],
        weight=weight,
        title=MappingProxyType(dict(data["title"])),
        explain=MappingProxyType(dict(data["explain"])),
        match=match,
        unless=unless,
        country=data.get("country"),
        references=tuple(data["references"]),
        examples_match=examples["match"],
        examples_no_match=examples["no_match"],
        known_miss=examples["known_miss"],
    )
    return rule, issues


def _matcher(doc: Document, at: JsonPath, default_fuzzy: int, issues: list[Issue]) -> Matcher:
    spec = doc.data[at[0]]
    fuzzy_raw = spec.get("fuzzy", False)
    fuzzy = default_fuzzy if fuzzy_raw is True else (fuzzy_raw or None)
    terms: dict[str, tuple[str, ...]] = {}
    for lang, items in spec.get("terms", {}).items():
        kept = []
        for i, term in enumerate(items):
            _, compact = term_forms(term)
            where = (*at, "terms", lang, i)
            if not compact:
                issues.append(
                    doc.issue(where, "E401", f"term '{term}' is empty after normalisation")
                )
                continue
            if fuzzy and not needs_compact(compact) and len(compact) < MIN_FUZZY_CHARS:
                issues.append(
                    doc.issue(
                        where,
                        "W402",
                        f"term '{term}' is too short to match fuzzily; it is matched exactly",
                    )
                )
            kept.append(term)
        terms[lang] = tuple(kept)
    for i, pattern in enumerate(spec.get("regex", [])):
        try:
            re2.compile(pattern)
        except re2.error as exc:
            issues.append(
                doc.issue((*at, "regex", i), "E403", f"regex does not compile in RE2: {exc}")
            )
        if _UPPER_LITERAL.search(pattern):
            issues.append(
                doc.issue(
                    (*at, "regex", i),
                    "W404",
                    "regexes run on lower-cased text; upper-case letters never match",
                )
            )
    return Matcher(
        terms=MappingProxyType(terms),
        fuzzy=fuzzy,
        spaceless=spec.get("spaceless", False),
        regex=tuple(spec.get("regex", [])),
        phones=frozenset(spec.get("phones", [])),
        links=tuple(spec.get("links", [])),
        handles=spec.get("handles", False),
        amounts=MappingProxyType(dict(spec.get("amounts", {}).get("monthly_at_least", {}))),
        amount_caps=MappingProxyType(dict(spec.get("amounts", {}).get("monthly_at_most", {}))),
    )
