"""The one thing the bot tells the counting layer about a check.

A :class:`CheckEvent` is deliberately poor: a UTC day, a few closed-vocabulary labels and
identifiers taken from the rule packs. It has no field that could carry message text or a
user id, and it validates its labels so a caller cannot smuggle free text into the
counters by mistake (for example passing a message snippet as a "rule id").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

LANGUAGES: tuple[str, ...] = ("ko", "en", "th", "vi")
KINDS: tuple[str, ...] = ("text", "forward", "photo", "group")
RISKS: tuple[str, ...] = ("none", "low", "medium", "high")

#: Key recorded for a check or a first contact that came without a deep-link code.
DIRECT = "direct"

# Rule names and region ids are kebab-case identifiers from the packs; referral codes are
# Telegram deep-link payloads ([A-Za-z0-9_-], at most 64 characters).
_IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_COUNTRY = re.compile(r"[A-Z]{2}")  # destinations are ISO 3166-1 alpha-2 codes: KH, MM…
_REFERRAL = re.compile(r"[A-Za-z0-9_-]{1,64}")


def is_referral(code: str) -> bool:
    """True when *code* is a well-formed deep-link payload that may be counted."""
    return _REFERRAL.fullmatch(code) is not None


def _check_identifiers(
    field: str, values: tuple[str, ...], pattern: re.Pattern[str] = _IDENTIFIER
) -> None:
    for value in values:
        if not isinstance(value, str) or pattern.fullmatch(value) is None:
            raise ValueError(f"CheckEvent.{field}: not a pack identifier (got {len(value)} chars)")


@dataclass(frozen=True, slots=True)
class CheckEvent:
    """One finished check, as far as counting is concerned.

    ``referral`` is the deep-link code the person arrived with at first contact (``None``
    when they came directly); it is counted per check so NGOs see which links lead to use.
    """

    day: date
    language: str
    kind: str
    risk: str
    rules: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    referral: str | None = None

    def __post_init__(self) -> None:
        # Error messages never echo the offending value: it might be message text.
        if type(self.day) is not date:
            raise TypeError("CheckEvent.day must be a datetime.date (UTC day), not a datetime")
        if self.language not in LANGUAGES:
            raise ValueError(f"CheckEvent.language must be one of {LANGUAGES}")
        if self.kind not in KINDS:
            raise ValueError(f"CheckEvent.kind must be one of {KINDS}")
        if self.risk not in RISKS:
            raise ValueError(f"CheckEvent.risk must be one of {RISKS}")
        _check_identifiers("rules", self.rules)
        _check_identifiers("destinations", self.destinations, _COUNTRY)
        if self.referral is not None and not is_referral(self.referral):
            raise ValueError("CheckEvent.referral must match [A-Za-z0-9_-]{1,64}")

    def counters(self) -> Iterator[tuple[str, str]]:
        """The ``(metric, key)`` counters this check increments by one each.

        A rule or destination reported twice in one check still counts once: the unit is
        "checks where it appeared", which is what an NGO can compare across weeks.
        """
        yield "checks", ""
        yield "risk", self.risk
        yield "language", self.language
        yield "kind", self.kind
        yield "risk_language", f"{self.risk}|{self.language}"
        yield "referral", self.referral or DIRECT
        for rule in dict.fromkeys(self.rules):
            yield "rule", rule
        for destination in dict.fromkeys(self.destinations):
            yield "destination", destination
