"""What the engine says about a message.

These plain, immutable records are the contract between the engine and everything
that reads its verdict (replies, the bot, the CLI, counts). Spans and findings are
named tuples rather than frozen dataclasses: a message yields dozens of them, and a
frozen dataclass costs several times more to create. They carry no message
text beyond the evidence spans, which exist only so a reply can quote them back to
the person who sent the message; nothing here is ever written to storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

LANGUAGES: tuple[str, ...] = ("ko", "en", "th", "vi")


class Risk(StrEnum):
    """Risk bands. There is deliberately no "safe": no finding means no *known* sign."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _RISK_ORDER.index(self)

    def at_least(self, other: Risk) -> bool:
        return self.rank >= other.rank


_RISK_ORDER = [Risk.NONE, Risk.LOW, Risk.MEDIUM, Risk.HIGH]


class Span(NamedTuple):
    """A slice of the user's *original* text (not the normalised one)."""

    start: int
    end: int
    text: str


class Finding(NamedTuple):
    rule: str
    category: str
    severity: str
    weight: int
    evidence: tuple[Span, ...]
    destinations: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "weight": self.weight,
            "evidence": [span.text for span in self.evidence],
            "spans": [[span.start, span.end] for span in self.evidence],
            "destinations": list(self.destinations),
        }


@dataclass(frozen=True, slots=True)
class Result:
    risk: Risk
    score: int
    language: str
    destinations: tuple[str, ...]
    findings: tuple[Finding, ...]
    truncated: bool = False
    bonuses: tuple[str, ...] = field(default=())
    # Rules with zero or negative weight ("this reads like a news report or a warning"):
    # they lower the score but are not warning signs, so replies do not list them.
    context: tuple[Finding, ...] = field(default=())

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(f.rule for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "risk": self.risk.value,
            "score": self.score,
            "language": self.language,
            "destinations": list(self.destinations),
            "findings": [f.to_json() for f in self.findings],
            "truncated": self.truncated,
            "context": [f.rule for f in self.context],
        }
