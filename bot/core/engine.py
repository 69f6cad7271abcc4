"""The engine: a message in, the warning signs and a risk level out.

An `Engine` is immutable. Reloading rule packs builds a new one and swaps it in
(see `bot.core.knowledge`), so a check in flight never sees half-loaded packs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from bot.core.extract import Extracted
from bot.core.language import detect_script_language
from bot.core.match import FoldedSpan, Index
from bot.core.model import Finding, Result, Risk, Span
from bot.core.normalize import Normalized, normalize
from bot.core.rule import PackSettings, Rule
from bot.packs.loader import load_rules

# Longer input is cut, not refused: Telegram texts stop at 4,096 characters, but OCR
# output and several forwarded messages checked together can be longer.
MAX_CHARS = 20_000
MAX_EVIDENCE_PER_FINDING = 3
# Lone UTF-16 surrogates cannot be encoded (RE2 needs UTF-8); they carry no meaning.
_SURROGATE = re.compile("[\ud800-\udfff]")


class Engine:
    def __init__(self, settings: PackSettings, rules: tuple[Rule, ...]) -> None:
        self.settings = settings
        self._rules = rules
        self.rules: Mapping[str, Rule] = MappingProxyType({r.id: r for r in rules})
        self._index = Index(rules)

    @classmethod
    def load(cls, rules_dir: Path) -> Engine:
        """Load and validate every pack under `rules_dir`; raise PackError on any error."""
        settings, rules = load_rules(rules_dir)
        return cls(settings, rules)

    def analyse(self, text: str) -> Result:
        truncated = len(text) > MAX_CHARS
        if truncated:
            text = text[:MAX_CHARS]
        if not text.isascii():
            text = _SURROGATE.sub("\ufffd", text)
        norm = normalize(text)
        extracted = Extracted.of(norm.folded, self._index.phone_regions)
        hits = self._index.scan(norm, extracted)
        suppressed = {index for (index, side) in hits if side == 1}
        findings: list[Finding] = []
        for (index, side), spans in sorted(hits.items()):
            if side == 1 or index in suppressed:
                continue
            findings.append(self._finding(self._rules[index], spans, norm, extracted))
        return self._score(findings, text, extracted, truncated)

    def _finding(
        self, rule: Rule, spans: list[FoldedSpan], norm: Normalized, extracted: Extracted
    ) -> Finding:
        evidence = []
        original = norm.original
        for start, end in (_merge(spans) if len(spans) > 1 else spans)[:MAX_EVIDENCE_PER_FINDING]:
            o_start, o_end = norm.original_span(start, end)
            quote = original[o_start:o_end]
            if quote[:1].isspace() or quote[-1:].isspace():  # quote words, not the spaces
                o_start += len(quote) - len(quote.lstrip())
                quote = quote.strip()
                o_end = o_start + len(quote)
            evidence.append(Span(o_start, o_end, quote))
        destinations: tuple[str, ...] = (rule.country,) if rule.country else ()
        if rule.match.phones:
            found = {p.value for p in extracted.phones if p.value in rule.match.phones}
            destinations = tuple(sorted(found.union(destinations)))
        return Finding(
            rule.id, rule.category, rule.severity, rule.weight, tuple(evidence), destinations
        )

    def _score(
        self, findings: list[Finding], text: str, extracted: Extracted, truncated: bool
    ) -> Result:
        # A category counts once (its strongest rule), so ten ways of saying
        # "high pay" do not outweigh one "free flight" plus one "Poipet".
        strongest: dict[str, int] = {}
        for finding in findings:
            current = strongest.get(finding.category)
            if current is None or abs(finding.weight) > abs(current):
                strongest[finding.category] = finding.weight
        signs = {c for c, w in strongest.items() if w > 0}
        combined = [c for c in self.settings.combinations if c.satisfied_by(signs)]
        score = max(0, sum(strongest.values()) + sum(c.bonus for c in combined))
        risk = self._band(score) if signs else Risk.NONE
        destinations = {d for f in findings if f.weight > 0 for d in f.destinations}
        destinations.update(
            self.settings.currency_destinations[a.currency]
            for a in extracted.amounts
            if a.currency in self.settings.currency_destinations
        )
        return Result(
            risk=risk,
            score=score,
            language=detect_script_language(text) or "en",
            destinations=tuple(sorted(destinations)),
            findings=tuple(f for f in findings if f.weight > 0),
            truncated=truncated,
            bonuses=tuple(c.name for c in combined),
            context=tuple(f for f in findings if f.weight <= 0),
        )

    def _band(self, score: int) -> Risk:
        bands = self.settings.bands
        if score >= bands["high"]:
            return Risk.HIGH
        if score >= bands["medium"]:
            return Risk.MEDIUM
        return Risk.LOW


def _merge(spans: list[FoldedSpan]) -> list[FoldedSpan]:
    """Sorted, de-duplicated spans with overlaps merged (one quote per place)."""
    merged: list[FoldedSpan] = []
    for start, end in sorted(set(spans)):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
