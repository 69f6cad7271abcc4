"""Rules and pack settings as the engine sees them, after loading and validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from itertools import repeat
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Matcher:
    """Ways a rule can fire. Any one of them is enough (the rule is an OR of these)."""

    terms: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    fuzzy: int | None = None
    spaceless: bool = False
    regex: tuple[str, ...] = ()
    phones: frozenset[str] = frozenset()
    links: tuple[str, ...] = ()
    handles: bool = False
    amounts: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    # Above this a figure is a company's revenue or a price, not anyone's pay.
    amount_caps: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(lang for lang, terms in self.terms.items() if terms)


@dataclass(frozen=True, slots=True)
class Example:
    lang: str
    text: str
    expect: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    path: str
    status: str
    category: str
    severity: str
    weight: int
    title: Mapping[str, str]
    explain: Mapping[str, str]
    match: Matcher
    unless: Matcher | None = None
    country: str | None = None
    references: tuple[str, ...] = ()
    examples_match: tuple[Example, ...] = ()
    examples_no_match: tuple[Example, ...] = ()
    known_miss: tuple[Example, ...] = ()


@dataclass(frozen=True, slots=True)
class Combination:
    """A bonus for signs that are weak alone but telling together (e.g. region + pay)."""

    name: str
    all_of: tuple[frozenset[str], ...]  # per pattern, the declared categories it covers
    bonus: int

    @classmethod
    def expand(
        cls, name: str, patterns: list[str], bonus: int, categories: list[str]
    ) -> Combination:
        """Resolve `*` patterns against the declared categories once, at load time."""
        groups = tuple(frozenset(c for c in categories if fnmatchcase(c, p)) for p in patterns)
        return cls(name, groups, bonus)

    def satisfied_by(self, categories: set[str]) -> bool:
        return not any(map(frozenset.isdisjoint, self.all_of, repeat(categories)))


@dataclass(frozen=True, slots=True)
class PackSettings:
    schema: int
    version: str
    categories: Mapping[str, str]
    severities: Mapping[str, int]
    bands: Mapping[str, int]  # minimum score for low, medium, high
    combinations: tuple[Combination, ...]
    currency_destinations: Mapping[str, str]
    default_fuzzy: int
