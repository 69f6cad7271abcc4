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
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate, compress, count, repeat
from operator import add, eq, sub

# Invisible characters used to split words without changing how they look.
_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u3164\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a\ufe0b\ufe0c"
    "\ufe0d\ufe0e\ufe0f\ufeff\uffa0"
)

# Cyrillic and Greek letters that look like Latin ones once lower-cased.
_HOMOGLYPHS = {
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "и": "u",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "п": "n",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ь": "b",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ѕ": "s",
    "һ": "h",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "ӏ": "l",
    "ѵ": "v",
    "ɡ": "g",
    "ɑ": "a",
    "ı": "i",
    "α": "a",
    "β": "b",
    "γ": "y",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    "ϲ": "c",
    "ѡ": "w",
}

# Leetspeak, applied only in a second view of the text (numbers stay numbers elsewhere).
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
    }
)
_LEET_L = str.maketrans({"1": "l", "!": "l"})
# A leet character run followed by letters: "p01pet", "te1egram", "c@sino", "4dmin".
_LEET_RUN = re.compile(r"[0-9@$!|][0-9@$!|]*[a-z]+")  # a class first: a fast scan
_LEET_CONTEXT_WORDS = 3  # words either side, so "free fl1ght" still meets "free flight"
_LEET_REACH = 24

_THAI_SARA_AM = "\u0e33"  # NFKC splits it in two; keep it whole in both text and terms

# A "word" is a run of letters or digits; Thai, Khmer and Myanmar marks belong to it.
_WORD = re.compile(
    r"[\w\u0300-\u036f\u0e01-\u0e3a\u0e40-\u0e4e\u0e50-\u0e59"
    r"\u1000-\u109f\u1780-\u17d3\u17e0-\u17e9]+"
)
_WORD_OR_GAP = re.compile(f"({_WORD.pattern})")  # split() gives gap, word, gap, ..., gap
# Letters split up by short runs of separators: "P o i p e t", "P.o.i.p.e.t", "P🔥o🔥i".
_MAX_SPLIT_GAP = 3
_MIN_SPACED_SINGLES = 6
_MIN_SPLIT_RUN = 3


def _fold_char(ch: str) -> str:
    if ch in _INVISIBLE:
        return ""
    category = unicodedata.category(ch)
    if category == "Cc":
        if ch == "\n":
            return ch  # kept: it ends a line, which joined-up letters must not cross
        return " " if ch in "\t\r\x0b\x0c" else ""
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
        self.irregular_pattern: re.Pattern[str] | None = None

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        if len(folded) != 1:
            self.irregular.add(chr(code))
            chars = "".join(re.escape(c) for c in sorted(self.irregular))
            self.irregular_pattern = re.compile(f"[{chars}]")
        return folded


_TABLE = _FoldTable()


def _plain_class() -> str:
    """Characters whose folding is what `str.lower` gives them, as a regex class body.

    Printable ASCII, Thai, Hangul syllables, and the punctuation, arrows, boxes and
    emoji that decorate job ads. Text made only of these (most English, Thai and
    Korean) is folded by `str.lower`, an order of magnitude faster than the table.
    The symbol blocks are checked against `_fold_char` here rather than trusted, since
    compatibility forms hide among them ("…" folds to "...").
    """
    blocks = [(0xA0, 0xBF), (0x2010, 0x205E), (0x2190, 0x2BFF), (0x3001, 0x303F)]
    plain = "".join(
        chr(code)
        for first, last in blocks
        for code in range(first, last + 1)
        if _fold_char(chr(code)) == chr(code).lower() == chr(code)
    )
    # Emoji (U+1F300 on) all fold to themselves (a test checks). They stay one range:
    # with single characters above U+FFFF the class could not be a fast bitmap.
    return "\n\x20-\x7e\u0e00-\u0e7f\uac00-\ud7a3" + re.escape(plain) + "\U0001f300-\U0001faff"


_PLAIN = _plain_class()
_NEEDS_FOLDING = re.compile(f"[^{_PLAIN}]")
_NEEDS_FOLDING_SPLIT = re.compile(f"([^{_PLAIN}])")
# Text with fewer folding characters than this share is folded piece by piece; the
# first characters are enough to tell most text with many.
_FEW_TO_FOLD = 0.1
_HEAD = 256


def fold(text: str) -> str:
    """The character-level folding alone (used for terms and for comparing evidence)."""
    return text.translate(_TABLE)


class View:
    """One matchable form of the text.

    `words` has one space between tokens; `compact` has none (for Korean, Thai and
    names written with odd spacing). Positions are mapped back to the folded text only
    for the few places a rule fires, so the common no-hit path stays cheap.

    A view knows where its tokens sit in the folded text either from the separators
    between them (`_WORD_OR_GAP.split` yields both in one pass) or, where letters typed
    apart were joined up, from each token's folded start and, for the joined tokens,
    the folded position of each of their letters (`pieces`).
    """

    __slots__ = (
        "_base",
        "_compact_starts",
        "_folded_starts",
        "_gaps",
        "_pieces",
        "_separators",
        "_word_starts",
        "compact",
        "singles",
        "tokens",
        "words",
    )

    def __init__(
        self,
        tokens: list[str],
        *,
        separators: list[str] | None = None,
        joined: tuple[list[int], dict[int, list[int]]] | None = None,
        base: int = 0,
    ) -> None:
        self._base = base  # where the view's text starts in the folded text (leet snippets)
        self.tokens = tokens
        self.words = " ".join(tokens)
        self.compact = "".join(tokens)
        self.singles = list(map(len, tokens)).count(1)  # one-character tokens
        self._separators = separators  # the text before each token (and after the last)
        self._folded_starts: list[int] | None = joined[0] if joined else None
        self._pieces: dict[int, list[int]] = joined[1] if joined else {}
        self._gaps: list[int] | None = None
        self._compact_starts: list[int] | None = None
        self._word_starts: list[int] | None = None

    # Position tables are built on the first hit, with C-level map/accumulate only.
    @property
    def joined(self) -> bool:
        """Were letters typed apart joined back into words in this view?"""
        return self._folded_starts is not None

    def compact_starts(self) -> list[int]:
        if self._compact_starts is None:
            self._compact_starts = [0, *accumulate(map(len, self.tokens))][:-1]
        return self._compact_starts

    def _gap_totals(self) -> list[int]:
        """For token k, the separator characters before it: folded index - compact index."""
        if self._gaps is None:
            assert self._separators is not None
            self._gaps = list(accumulate(map(len, self._separators)))
        return self._gaps

    def words_span(self, start: int, end: int) -> tuple[int, int]:
        """[start, end) of `words` as a span of the folded text."""
        if self._folded_starts is not None:
            if self._word_starts is None:
                self._word_starts = list(map(add, self.compact_starts(), count()))
            return self._joined_span(self._word_starts, start, end)
        # Token k starts k spaces further into `words` than into `compact`.
        first = self.words.count(" ", 0, start)
        last = self.words.count(" ", start, end - 1) + first
        gaps = self._gaps or self._gap_totals()
        return self._base + start - first + gaps[first], self._base + end - last + gaps[last]

    def compact_span(self, start: int, end: int) -> tuple[int, int]:
        starts = self._compact_starts or self.compact_starts()
        if self._folded_starts is not None:
            return self._joined_span(starts, start, end)
        first = bisect_right(starts, start) - 1
        last = bisect_right(starts, end - 1, first) - 1
        gaps = self._gaps or self._gap_totals()
        return self._base + start + gaps[first], self._base + end + gaps[last]

    def _joined_span(self, starts: list[int], start: int, end: int) -> tuple[int, int]:
        """A span of a view whose letters were joined up: each token has its own pieces."""
        return (
            self._base + self._folded_index(starts, start),
            self._base + self._folded_index(starts, end - 1) + 1,
        )

    def _folded_index(self, starts: list[int], index: int) -> int:
        assert self._folded_starts is not None
        token = bisect_right(starts, index) - 1
        offset = index - starts[token]
        letters = self._pieces.get(token)
        if letters is None:
            return self._folded_starts[token] + offset
        return letters[min(offset, len(letters) - 1)]

    def on_token_edges(self, start: int, end: int) -> bool:
        """Does compact[start:end] begin and end exactly where tokens do?"""
        starts = self._compact_starts or self.compact_starts()
        i = bisect_left(starts, start)
        if i == len(starts) or starts[i] != start:
            return False
        if end == len(self.compact):
            return True
        j = bisect_left(starts, end)
        return j < len(starts) and starts[j] == end


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    folded: str
    folded_map: list[int] | None  # None: folded[i] came from original[i]
    views: tuple[View, ...]
    # Letters typed apart ("ท ำ ง า น", "l u o n g 3 0"): patterns that read the text with
    # its spaces (regexes, amounts) should also read it with the spaces taken out.
    spaced_out: bool = False

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the folded text back to the original text."""
        if self.folded_map is None or end <= start:
            return start, end
        return self.folded_map[start], self.folded_map[end - 1] + 1


def _joined_view(parts: list[str], singles: list[int], base: int) -> View:
    """The view with runs of letters split by short separators joined into words.

    "P o i p e t" and "P.o.i.p.e.t" become "poipet"; a line break or a longer gap
    ends a run, and fewer than three letters ("a b") are left alone. `singles` are
    the indexes of the one-letter tokens.
    """
    tokens = parts[1::2]
    token_starts = list(accumulate(map(len, parts)))[0::2]  # folded start of each token
    runs: list[tuple[int, int]] = []
    first = last = -2
    for index in singles:
        gap = parts[2 * index]  # the separators before this token
        if index == last + 1 and len(gap) <= _MAX_SPLIT_GAP and "\n" not in gap:
            last = index
            continue
        if last - first + 1 >= _MIN_SPLIT_RUN:
            runs.append((first, last))
        first = last = index
    if last - first + 1 >= _MIN_SPLIT_RUN:
        runs.append((first, last))
    joined: list[str] = []
    starts: list[int] = []
    pieces: dict[int, list[int]] = {}
    done = 0
    for first, last in runs:
        joined += tokens[done:first]
        starts += token_starts[done:first]
        pieces[len(joined)] = token_starts[first : last + 1]  # one letter at each
        joined.append("".join(tokens[first : last + 1]))
        starts.append(token_starts[first])
        done = last + 1
    joined += tokens[done:]
    starts += token_starts[done : len(tokens)]
    return View(joined, joined=(starts, pieces), base=base)


def _single_letters(tokens: list[str]) -> list[int]:
    """Indexes of one-character ASCII tokens (iterators only: long texts have hundreds of
    tokens and dozens of one-digit numbers)."""
    ones = compress(count(), map(eq, map(len, tokens), repeat(1)))
    return [index for index in ones if tokens[index] < "\x80"]


def _split(text: str, base: int = 0) -> tuple[list[str], View]:
    """The text's gaps and tokens (one regex pass), and its view with no letters joined."""
    parts = _WORD_OR_GAP.split(text)
    return parts, View(parts[1::2], separators=parts[0::2], base=base)


def _view(text: str, base: int = 0) -> View:
    parts, view = _split(text, base)
    if view.singles >= _MIN_SPLIT_RUN:
        singles = _single_letters(view.tokens)
        if 2 in map(sub, singles[2:], singles):  # three single letters in a row
            return _joined_view(parts, singles, base)
    return view


def letter_view(text: str) -> View:
    """The text's own tokens, with no letters joined (see Index: spelled-out words)."""
    return _split(text)[1]


def _spaced_out(view: View) -> bool:
    if view.joined:
        return True
    return view.singles >= _MIN_SPACED_SINGLES and view.singles * 3 >= len(view.tokens)


def _leet_spans(text: str) -> list[tuple[int, int]]:
    """Stretches of text around leetspeak words, a few words either side, merged.

    Only these stretches get a leetspeak view: translating the whole message again
    for one "te1egram" would double the work for every long message.
    """
    spans: list[tuple[int, int]] = []
    for m in _LEET_RUN.finditer(text):
        start = m.start()
        before = text[start - 1] if start else " "
        digits = len(m.group()) - len(m.group().lstrip("0123456789@$!|"))
        word_start = digits == 1 and m.group()[0] != "@" and not before.isalnum()  # "4dmin"
        if not (before.isalpha() or (word_start and len(m.group()) >= 4)):
            continue
        left, right = start, m.end()
        for _ in range(_LEET_CONTEXT_WORDS):
            lowest = max(0, left - _LEET_REACH)
            found = text.rfind(" ", lowest, max(lowest, left - 1))
            left = found if found >= 0 else lowest
            found = text.find(" ", right + 1, right + _LEET_REACH)
            right = found if found >= 0 else min(len(text), right + _LEET_REACH)
        if spans and left <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(right, spans[-1][1]))
        else:
            spans.append((left, right))
    return spans


def _offsets(text: str) -> list[int]:
    """Original index of each folded character, walking only the irregular characters."""
    offsets: list[int] = []
    done = 0
    assert _TABLE.irregular_pattern is not None
    for index in [m.start() for m in _TABLE.irregular_pattern.finditer(text)]:
        offsets.extend(range(done, index))
        offsets.extend([index] * len(_TABLE[ord(text[index])]))
        done = index + 1
    offsets.extend(range(done, len(text)))
    return offsets


def _fold_message(text: str) -> str:
    """`fold(text)`, by the cheapest of three equivalent ways for this text."""
    if len(_NEEDS_FOLDING.findall(text, 0, _HEAD)) > _HEAD * _FEW_TO_FOLD:
        return text.translate(_TABLE)  # Vietnamese, say: accents on every other word
    unusual = _NEEDS_FOLDING.findall(text)
    if not unusual:
        return text.lower()
    if len(unusual) > len(text) * _FEW_TO_FOLD:
        return text.translate(_TABLE)
    # A few symbols in plain text: lower the plain runs in one call ("\0" cannot occur
    # in them, it needs folding), fold the symbols one by one, interleave.
    pieces = _NEEDS_FOLDING_SPLIT.split(text)
    pieces[0::2] = "\0".join(pieces[0::2]).lower().split("\0")
    pieces[1::2] = [_TABLE[ord(char)] for char in unusual]
    return "".join(pieces)


def normalize(text: str) -> Normalized:
    folded = _fold_message(text)
    irregular = _TABLE.irregular_pattern  # characters folding to none or to several
    folded_map = _offsets(text) if irregular is not None and irregular.search(text) else None
    views = [_view(folded)]
    for left, right in _leet_spans(folded):
        snippet = folded[left:right]
        views.append(_view(snippet.translate(_LEET), left))
        if "1" in snippet or "!" in snippet:
            views.append(_view(snippet.translate(_LEET_L).translate(_LEET), left))
    return Normalized(text, folded, folded_map, tuple(views), _spaced_out(views[0]))


def term_forms(term: str) -> tuple[str, str]:
    """(words form, compact form) of a rule term, folded exactly like messages are."""
    view = _view(fold(term))
    return view.words, view.compact
