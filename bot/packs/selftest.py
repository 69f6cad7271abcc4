"""Run every rule's own examples: they are the rule's tests (as in Semgrep and Sigma)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.engine import Engine
from bot.core.model import Finding
from bot.core.normalize import fold
from bot.core.rule import Example, Rule
from bot.packs.errors import Issue


@dataclass(frozen=True, slots=True)
class SelfTestReport:
    checked: int
    failures: tuple[Issue, ...]
    known_misses: int


def _quoted(example: Example, evidence: list[str]) -> list[str]:
    """Expected phrases that no evidence span contains (compared after folding)."""
    folded = [fold(text) for text in evidence]
    return [
        want
        for want in example.expect
        if not any(fold(want) in got or got in fold(want) for got in folded)
    ]


def run_examples(engine: Engine) -> SelfTestReport:
    failures: list[Issue] = []
    checked = 0
    for rule in engine.rules.values():
        for example in rule.examples_match:
            checked += 1
            failures += _check_match(engine, rule, example)
        for example in rule.examples_no_match:
            checked += 1
            fired = rule.id in {f.rule for f in _all_findings(engine, example.text)}
            if fired:
                failures.append(
                    _issue(
                        rule, example, "T002", f"no_match example ({example.lang}) fired the rule"
                    )
                )
    misses = sum(len(r.known_miss) for r in engine.rules.values())
    return SelfTestReport(checked, tuple(failures), misses)


def _all_findings(engine: Engine, text: str) -> list[Finding]:
    result = engine.analyse(text)
    return [*result.findings, *result.context]


def _check_match(engine: Engine, rule: Rule, example: Example) -> list[Issue]:
    found = [f for f in _all_findings(engine, example.text) if f.rule == rule.id]
    if not found:
        return [_issue(rule, example, "T001", f"match example ({example.lang}) did not fire")]
    missing = _quoted(example, [span.text for span in found[0].evidence])
    if missing:
        quoted = ", ".join(repr(m) for m in missing)
        got = ", ".join(repr(s.text) for s in found[0].evidence)
        return [_issue(rule, example, "T003", f"expected evidence {quoted}, got {got}")]
    return []


def _issue(rule: Rule, example: Example, code: str, message: str) -> Issue:
    return Issue(rule.path, example.line, 1, code, f"{rule.id}: {message}")
