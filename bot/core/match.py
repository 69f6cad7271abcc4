"""Where a rule is matched: one compiled index over every rule's terms and patterns.

Terms go into Aho-Corasick automata, so a message is scanned once whatever the
number of terms: one over the spaced "words" view (Latin-script terms, which must
start and end on word boundaries) and two over the "compact" view without spaces:
Korean, Thai and other unspaced scripts, where spacing varies, and Latin names marked
`spaceless`, which must still start and end on word edges. Fuzzy matching costs
nothing per message: for the long Latin names a rule opts into, every one-letter slip
(a letter missing, added, changed or two swapped) that rapidfuzz scores at or above
the rule's cutoff is put in the Latin compact automaton at load time. Maintainers'
regexes run on RE2, which cannot backtrack.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import re2
from ahocorasick_rs import AhoCorasick, Implementation
from rapidfuzz import fuzz

from bot.core.extract import Amount, Extracted, find_amounts, glued
from bot.core.normalize import Normalized, View, letter_view, term_forms
from bot.core.rule import Matcher, Rule

# (rule index, 0 = match / 1 = unless)
Slot = tuple[int, int]
FoldedSpan = tuple[int, int]
Locate = Callable[[int, int], FoldedSpan]  # a span of some view -> a span of the folded text


def _same(start: int, end: int) -> FoldedSpan:
    return start, end


_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff]")
MIN_FUZZY_CHARS = 6
MAX_REGEX_HITS = 8
MAX_SPANS_PER_RULE = 8  # more than the evidence a reply quotes, after merging overlaps


def needs_compact(term_compact: str) -> bool:
    """Korean, Thai and other unspaced-script terms are matched without spaces."""
    return bool(_NON_LATIN.search(term_compact))


@dataclass(frozen=True, slots=True)
class _Compiled:
    regexes: tuple[tuple[Any, Slot], ...]  # compiled RE2 patterns
    regex_set: Any  # an RE2 Set of them all: one pass says which patterns match at all
    link_probe: int  # the Set's index of "any named domain" (-1: none), the link prefilter
    phones: tuple[tuple[frozenset[str], Slot], ...]
    links: tuple[tuple[tuple[str, ...], Slot], ...]
    link_pattern: re.Pattern[str] | None  # any domain a rule names, with its path
    handles: tuple[Slot, ...]
    amounts: tuple[tuple[dict[str, tuple[float, float]], Slot], ...]  # currency: (floor, cap)


V = TypeVar("V")
CompactEntry = tuple[Slot, bool]  # (rule slot, must start and end on token edges)


class _Automaton(Generic[V]):
    """Every key of a mapping found in one pass over a text, overlaps included.

    A contiguous NFA: in isolation a DFA scans faster, but its tables (megabytes,
    with the fuzzy variants) fall out of the CPU cache between messages, and in the
    full pipeline the compact NFA came out ~10% faster per message.
    """

    __slots__ = ("_search", "values")

    def __init__(self, entries: dict[str, list[V]]) -> None:
        keys = list(entries)
        self.values = [tuple(entries[key]) for key in keys]
        self._search = (
            AhoCorasick(keys, implementation=Implementation.ContiguousNFA).find_matches_as_indexes
            if keys
            else None
        )

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(index into `values`, start, end) of every key found, by end position."""
        return self._search(text, overlapping=True) if self._search is not None else []


class Index:
    """Immutable once built; safe to share between concurrent checks."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        words: dict[str, list[Slot]] = defaultdict(list)
        compact: dict[str, list[CompactEntry]] = defaultdict(list)
        regexes, phones, links, handles, amounts = [], [], [], [], []
        for index, rule in enumerate(rules):
            for side, matcher in enumerate((rule.match, rule.unless)):
                if matcher is None:
                    continue
                slot = (index, side)
                self._add_terms(matcher, slot, words, compact)
                regexes += [(re2.compile(pattern.encode()), slot) for pattern in matcher.regex]
                if matcher.phones:
                    phones.append((matcher.phones, slot))
                if matcher.links:
                    links.append((matcher.links, slot))
                if matcher.handles:
                    handles.append(slot)
                if matcher.amounts:
                    caps = matcher.amount_caps
                    ranges = {
                        c: (floor, caps.get(c, math.inf)) for c, floor in matcher.amounts.items()
                    }
                    amounts.append((ranges, slot))
        self.phone_regions = frozenset(r for regions, _ in phones for r in regions)
        self._words = _Automaton(words)
        # Latin keys (fuzzy variants, mostly) apart from the other scripts: text with no
        # letters of those scripts skips their automaton.
        self._compact_latin = _Automaton({k: v for k, v in compact.items() if not needs_compact(k)})
        self._compact_script = _Automaton({k: v for k, v in compact.items() if needs_compact(k)})
        # Word terms once more without their spaces, bounded by token edges, for text typed
        # letter by letter: "t e s t e r ở P o i p e t" cannot be re-joined word by word
        # (Vietnamese "ở" is a one-letter word) but reads fine letter by letter.
        spelled: dict[str, list[CompactEntry]] = defaultdict(list)
        for key, slots in words.items():
            spelled[key.replace(" ", "")] += [(slot, True) for slot in slots]
        self._spelled = _Automaton(spelled)
        patterns = [p.pattern for p, _ in regexes]  # bytes: RE2 is fastest on UTF-8
        link_probe = _link_probe(links)
        if link_probe is not None:
            patterns.append(link_probe)
        self._extra = _Compiled(
            tuple(regexes),
            _regex_set(patterns),
            len(regexes) if link_probe is not None else -1,
            tuple(phones),
            tuple(links),
            _link_pattern(links),
            tuple(handles),
            tuple(amounts),
        )

    @staticmethod
    def _add_terms(
        matcher: Matcher,
        slot: Slot,
        words: dict[str, list[Slot]],
        compact: dict[str, list[CompactEntry]],
    ) -> None:
        for terms in matcher.terms.values():
            for term in terms:
                spaced, joined = term_forms(term)
                if not joined:
                    continue
                unspaced_script = needs_compact(joined)
                if unspaced_script or matcher.spaceless:
                    compact[joined].append((slot, not unspaced_script))
                else:
                    words[spaced].append(slot)
                if matcher.fuzzy and not unspaced_script and len(joined) >= MIN_FUZZY_CHARS:
                    for variant in one_slip_variants(joined, matcher.fuzzy):
                        compact[variant].append((slot, True))

    def scan(self, norm: Normalized, extracted: Extracted) -> dict[Slot, list[FoldedSpan]]:
        """Every (rule, side) that fired, with the folded-text spans that made it fire."""
        hits: dict[Slot, list[FoldedSpan]] = defaultdict(list)
        for view in norm.views:
            self._scan_view(view, hits)
        self._scan_extra(norm.folded, extracted, hits)
        if norm.spaced_out:
            letters = letter_view(norm.folded)
            for automaton in (self._spelled, self._compact_latin, self._compact_script):
                self._scan_compact(automaton, letters, hits)
            view = norm.views[0]  # letters joined back: read it with and without spaces
            for text, locate in ((view.words, view.words_span), (view.compact, view.compact_span)):
                if self._extra.regex_set is not None:
                    self._scan_regexes(text, hits, locate)
                self._scan_amounts(find_amounts(text), hits, locate)
        return {slot: spans for slot, spans in hits.items() if spans}

    def _scan_view(self, view: View, hits: dict[Slot, list[FoldedSpan]]) -> None:
        # A rule quotes only a few places, so once it has enough spans further
        # occurrences are not located (locating is the costly part of a hit).
        text = view.words
        size = len(text)
        values = self._words.values
        for index, start, end in self._words.find(text):
            if (start and text[start - 1] != " ") or (end < size and text[end] != " "):
                continue  # inside a longer word
            place = None
            for slot in values[index]:
                found = hits[slot]
                if len(found) < MAX_SPANS_PER_RULE:
                    found.append(place or (place := view.words_span(start, end)))
        self._scan_compact(self._compact_latin, view, hits)
        if not view.compact.isascii():
            self._scan_compact(self._compact_script, view, hits)

    @staticmethod
    def _scan_compact(
        automaton: _Automaton[CompactEntry], view: View, hits: dict[Slot, list[FoldedSpan]]
    ) -> None:
        values = automaton.values
        for index, start, end in automaton.find(view.compact):
            place = None
            on_edges = None
            for slot, bounded in values[index]:
                found = hits[slot]
                if len(found) >= MAX_SPANS_PER_RULE:
                    continue
                if bounded:
                    if on_edges is None:
                        on_edges = view.on_token_edges(start, end)
                    if not on_edges:
                        continue
                found.append(place or (place := view.compact_span(start, end)))

    def _scan_regexes(
        self, text: str, hits: dict[Slot, list[FoldedSpan]], locate: Locate = _same
    ) -> bool:
        """RE2 on UTF-8 bytes (its str interface costs several times more), spans back to str.

        Returns whether a domain some rule names appears at all, from the same pass.
        """
        data = text.encode()
        extra = self._extra
        found: list[tuple[int, int, Slot]] = []
        matched = extra.regex_set.Match(data) or ()
        for index in sorted(matched):
            if index == extra.link_probe:
                continue
            pattern, slot = extra.regexes[index]
            for count, m in enumerate(pattern.finditer(data)):
                if count >= MAX_REGEX_HITS:
                    break
                start, end = m.span()
                if end > start:
                    found.append((start, end, slot))
        if len(data) == len(text):  # ASCII: byte offsets are character offsets
            for start, end, slot in found:
                hits[slot].append(locate(start, end))
        else:
            # Byte offsets to character offsets in one sweep through the text, not one
            # decode of everything before each match.
            byte = char = 0
            for start, end, slot in sorted(found):
                char += len(data[byte:start].decode())
                byte = start
                hits[slot].append(locate(char, char + len(data[start:end].decode())))
        return extra.link_probe in matched

    def _scan_amounts(
        self, amounts: list[Amount], hits: dict[Slot, list[FoldedSpan]], locate: Locate = _same
    ) -> None:
        for ranges, slot in self._extra.amounts:
            for amount in amounts:
                floor, cap = ranges.get(amount.currency, (math.inf, math.inf))
                if floor <= amount.monthly <= cap:
                    hits[slot].append(locate(amount.start, amount.end))

    def _scan_extra(
        self, folded: str, extracted: Extracted, hits: dict[Slot, list[FoldedSpan]]
    ) -> None:
        extra = self._extra
        named_domains = extra.regex_set is not None and self._scan_regexes(folded, hits)
        for regions, slot in extra.phones:
            for phone in extracted.phones:
                if phone.value in regions:
                    hits[slot].append((phone.start, phone.end))
        if named_domains and extra.link_pattern is not None:
            found = [
                (m.group(1), m.span())
                for m in extra.link_pattern.finditer(folded)
                if not glued(folded, m.start(), "_-")  # "chat.line.me" yes, "xline.me" no
            ]
            for domains, slot in extra.links:
                hits[slot].extend(span for domain, span in found if domain in domains)
        if extracted.handles:
            for slot in extra.handles:
                hits[slot].extend((h.start, h.end) for h in extracted.handles)
        self._scan_amounts(extracted.amounts, hits)


def _regex_set(patterns: list[bytes]) -> Any:
    if not patterns:
        return None
    regex_set = re2.Set.SearchSet(re2.Options())
    for pattern in patterns:
        regex_set.Add(pattern)
    regex_set.Compile()
    return regex_set


def _link_probe(links: list[tuple[tuple[str, ...], Slot]]) -> bytes | None:
    """Any named domain anywhere, for the RE2 Set: the exact link pattern runs only then."""
    domains = sorted({d for named, _ in links for d in named})
    return "|".join(re.escape(d) for d in domains).encode() if domains else None


def _link_pattern(links: list[tuple[tuple[str, ...], Slot]]) -> re.Pattern[str] | None:
    """One pattern for every named domain; subdomains count ("chat.line.me" is line.me)."""
    domains = sorted({d for named, _ in links for d in named}, key=len, reverse=True)
    if not domains:
        return None
    names = "|".join(re.escape(d) for d in domains)
    return re.compile(rf"({names})(?![\w-])(?:/[^\s<>\"']*)?")


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def one_slip_variants(form: str, cutoff: int) -> set[str]:
    """Spellings one slip away from `form` that rapidfuzz still rates >= cutoff."""
    pieces = [(form[:i], form[i:]) for i in range(len(form) + 1)]
    variants = {head + tail[1:] for head, tail in pieces if tail}  # a letter missing
    variants |= {head + tail[1] + tail[0] + tail[2:] for head, tail in pieces if len(tail) > 1}
    variants |= {head + c + tail[1:] for head, tail in pieces if tail for c in _LETTERS}
    variants |= {head + c + tail for head, tail in pieces for c in _LETTERS}  # one added
    variants.discard(form)
    return {v for v in variants if fuzz.ratio(v, form, score_cutoff=cutoff)}
