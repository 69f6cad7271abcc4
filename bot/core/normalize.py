"""Fold a message into the forms rules are matched against, remembering where each
character came from so evidence can be quoted from the user's own words.

Recruiters dodge keyword filters with look-alike letters (Cyrillic "Роіреt"),
full-width or "mathematical" letters, zero-width characters, leetspeak ("P01pet"),
letters split by spaces, dots or emoji ("P o i p e t", "P.o.i.p.e.t"), and Vietnamese
typed without diacritics. Every one of those is undone here, and the same folding is
applied to rule terms, so maintainers write terms the way people normally spell them.

Thai vowel and tone marks are combining characters; they are kept (dropping them, as
rapidfuzz's default processor does, breaks Thai words apart). Only *Latin* letters
lose their diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Invisible characters used to split words without changing how they look.
_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u3164\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a\ufe0b\ufe0c"
    "\ufe0d\ufe0e\ufe0f\ufeff\uffa0"
)

# Cyrillic and Greek letters that look like Latin ones once lower-cased.
_HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "и": "u", "к": "k", "м": "m",
    "н": "h", "о": "o", "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x",
    "ь": "b", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ӏ": "l", "ѵ": "v", "ɡ": "g", "ɑ": "a", "ı": "i",
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ѡ": "w",
}

# Leetspeak, applied only in a second view of the text (numbers stay numbers elsewhere).
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                       "8": "b", "@": "a", "$": "s", "!": "i", "|": "l"})
_LEET_L = str.maketrans({"1": "l", "!": "l"})
_HAS_LEET = re.compile(r"[a-z][0-9@$!|]|[0-9@$!|][a-z]")

_THAI_SARA_AM = "\u0e33"  # NFKC splits it in two; keep it whole in both text and terms

# A "word" is a run of letters or digits; Thai, Khmer and Myanmar marks belong to it.
_WORD = re.compile(
    r"(?:[^\W_]|[\u0300-\u036f\u0e01-\u0e3a\u0e40-\u0e4e\u0e50-\u0e59"
    r"\u1000-\u109f\u1780-\u17d3\u17e0-\u17e9])+"
)
# Letters split up by short runs of separators: "P o i p e t", "P.o.i.p.e.t", "P🔥o🔥i".
_MAX_SPLIT_GAP = 3
_MIN_SPLIT_RUN = 3


def _fold_char(ch: str) -> str:
    if ch in _INVISIBLE:
        return ""
    category = unicodedata.category(ch)
    if category == "Cc":
        return " " if ch in "\t\n\r\x0b\x0c" else ""
    if category == "Cf":
        return ""
    if ch == _THAI_SARA_AM:
        return ch
    out = []
    for c in unicodedata.normalize("NFKC", ch).casefold():
        c = _HOMOGLYPHS.get(c, c)
        if c == "đ":
            c = "d"
        elif "\u0300" <= c <= "\u036f":
            continue  # a stray combining accent (decomposed Vietnamese input)
        elif c < "\u0250" or "\u1e00" <= c <= "\u1eff":  # Latin: drop accents
            c = unicodedata.normalize("NFD", c)[0]
        out.append(c)
    return "".join(out)


class _FoldTable(dict[int, str]):
    """A `str.translate` table filled on first sight of each character.

    `irregular` remembers characters whose folding is not exactly one character, so
    the common case (every character maps to one) can skip building an offset map.
    """

    def __init__(self) -> None:
        super().__init__()
        self.irregular: set[str] = set()

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        if len(folded) != 1:
            self.irregular.add(chr(code))
        return folded


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """The character-level folding alone (used for terms and for comparing evidence)."""
    return text.translate(_TABLE)


@dataclass(frozen=True, slots=True)
class View:
    """One matchable form of the text.

    `words` has one space between tokens; `compact` has none (for Korean, Thai and
    names written with odd spacing). `*_map` give the folded-text index of each char.
    """

    words: str
    words_map: list[int]
    compact: str
    compact_map: list[int]
    compact_starts: frozenset[int]
    compact_ends: frozenset[int]


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    folded: str
    folded_map: list[int] | None  # None: folded[i] came from original[i]
    views: tuple[View, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the folded text back to the original text."""
        if self.folded_map is None or end <= start:
            return start, end
        return self.folded_map[start], self.folded_map[end - 1] + 1


def _tokens(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _WORD.finditer(text)]
    merged: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []

    def close_run() -> None:
        if len(run) >= _MIN_SPLIT_RUN:
            merged.append((-1, len(run)))  # marker: the next len(run) spans are one word
        merged.extend(run)
        run.clear()

    for span in spans:
        single = span[1] - span[0] == 1
        joinable = (
            single
            and run
            and span[0] - run[-1][1] <= _MAX_SPLIT_GAP
            and "\n" not in text[run[-1][1] : span[0]]
        )
        if joinable:
            run.append(span)
            continue
        close_run()
        if single:
            run.append(span)
        else:
            merged.append(span)
    close_run()
    return merged


def _view(text: str) -> View:
    words: list[str] = []
    words_map: list[int] = []
    compact: list[str] = []
    compact_map: list[int] = []
    starts: set[int] = set()
    ends: set[int] = set()
    spans = _tokens(text)
    i = 0
    while i < len(spans):
        start, end = spans[i]
        if start == -1:  # a split-up word: join its letters
            group = spans[i + 1 : i + 1 + end]
            i += 1 + end
        else:
            group = [(start, end)]
            i += 1
        if words:
            words.append(" ")
            words_map.append(group[0][0] - 1 if group[0][0] > 0 else 0)
        starts.add(len(compact_map))
        for s, e in group:
            piece = text[s:e]
            words.append(piece)
            compact.append(piece)
            words_map.extend(range(s, e))
            compact_map.extend(range(s, e))
        ends.add(len(compact_map))
    return View(
        "".join(words), words_map, "".join(compact), compact_map,
        frozenset(starts), frozenset(ends),
    )


def normalize(text: str) -> Normalized:
    folded = text.translate(_TABLE)
    folded_map: list[int] | None = None
    if not _TABLE.irregular.isdisjoint(text):
        folded_map = []
        for index, ch in enumerate(text):
            folded_map.extend([index] * len(_TABLE[ord(ch)]))
    views = [_view(folded)]
    if _HAS_LEET.search(folded):
        leet = folded.translate(_LEET)
        views.append(_view(leet))
        if "1" in folded or "!" in folded:
            views.append(_view(folded.translate(_LEET_L).translate(_LEET)))
    return Normalized(text, folded, folded_map, tuple(views))


def term_forms(term: str) -> tuple[str, str]:
    """(words form, compact form) of a rule term, folded exactly like messages are."""
    view = _view(fold(term))
    return view.words, view.compact
