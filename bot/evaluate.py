"""`lurecheck eval`: measure the rule packs on labelled messages.

Rule examples prove each rule fires on its own phrases; this measures what users
feel: of the lures, how many reach "medium" or "high" (recall), and of the benign
messages, how many are wrongly raised to those levels (false-positive rate), per
language. Rows labelled `other_scam` (real scams that are not recruitment lures)
are counted apart: flagging them is neither a miss nor a false alarm.

`--obfuscate` re-checks every lure after the evasions recruiters use on keyword
filters (spaced letters, look-alike letters, zero-width characters, leetspeak and,
for Vietnamese, dropped diacritics). The variants are deterministic, so a figure
can be reproduced and a regression pinned down to one rule change.

Input is JSON lines `{id, lang, label, kind?, text}`; a folder means every
`*.jsonl` in it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from bot.core.engine import Engine
from bot.core.model import LANGUAGES, Risk

LABELS = ("lure", "benign", "other_scam")
DEFAULT_PATH = PROJECT_ROOT / "seeds" / "examples"


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    lang: str
    label: str
    text: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One checked row: its risk and the rules (with quoted evidence) behind it."""

    row: Row
    risk: Risk
    score: int
    fired: tuple[tuple[str, tuple[str, ...]], ...]  # (rule id, evidence)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.row.id, "lang": self.row.lang, "label": self.row.label,
            "kind": self.row.kind, "risk": self.risk.value, "score": self.score,
            "rules": {rule: list(evidence) for rule, evidence in self.fired},
        }


@dataclass(slots=True)
class LangStats:
    lures: int = 0
    lures_medium: int = 0
    lures_high: int = 0
    benign: int = 0
    benign_medium: int = 0
    benign_high: int = 0
    other_scam: int = 0
    other_scam_medium: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "lures": self.lures, "benign": self.benign, "other_scam": self.other_scam,
            "recall_medium": _ratio(self.lures_medium, self.lures),
            "recall_high": _ratio(self.lures_high, self.lures),
            "fpr_medium": _ratio(self.benign_medium, self.benign),
            "fpr_high": _ratio(self.benign_high, self.benign),
            "other_scam_medium": _ratio(self.other_scam_medium, self.other_scam),
        }


@dataclass(slots=True)
class Report:
    stats: dict[str, LangStats] = field(default_factory=dict)
    missed: list[Outcome] = field(default_factory=list)  # lures below medium
    false_alarms: list[Outcome] = field(default_factory=list)  # benign at medium+
    other_scam_flagged: list[Outcome] = field(default_factory=list)
    # lang -> row kind -> [lures, at medium+, at high]; kinds name the evasion for variants
    lure_kinds: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "languages": {lang: s.to_json() for lang, s in sorted(self.stats.items())},
            "missed": [o.to_json() for o in self.missed],
            "false_alarms": [o.to_json() for o in self.false_alarms],
            "other_scam_flagged": [o.to_json() for o in self.other_scam_flagged],
        }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- input ---------------------------------------------------------------------------


def read_rows(path: Path) -> list[Row]:
    """Rows of one JSONL file or of every `*.jsonl` in a folder; bad rows raise ValueError."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files:
        raise ValueError(f"{path}: no .jsonl files")
    rows: list[Row] = []
    for file in files:
        with file.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    rows.append(_row(json.loads(line), f"{file}:{number}"))
    return rows


def _row(data: Any, where: str) -> Row:
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise ValueError(f"{where}: expected an object with a 'text' string")
    label, lang = data.get("label"), data.get("lang")
    if label not in LABELS:
        raise ValueError(f"{where}: label must be one of {', '.join(LABELS)}")
    if lang not in LANGUAGES:
        raise ValueError(f"{where}: lang must be one of {', '.join(LANGUAGES)}")
    return Row(str(data.get("id", where)), lang, label, data["text"], str(data.get("kind") or ""))


# --- evaluation ----------------------------------------------------------------------


def check(engine: Engine, row: Row) -> Outcome:
    result = engine.analyse(row.text)
    fired = tuple((f.rule, tuple(s.text for s in f.evidence)) for f in result.findings)
    return Outcome(row, result.risk, result.score, fired)


def evaluate(engine: Engine, rows: Iterable[Row]) -> Report:
    report = Report()
    for row in rows:
        outcome = check(engine, row)
        stats = report.stats.setdefault(row.lang, LangStats())
        medium = outcome.risk.at_least(Risk.MEDIUM)
        high = outcome.risk.at_least(Risk.HIGH)
        if row.label == "lure":
            stats.lures += 1
            stats.lures_medium += medium
            stats.lures_high += high
            tally = report.lure_kinds.setdefault(row.lang, {}).setdefault(row.kind, [0, 0, 0])
            tally[0] += 1
            tally[1] += medium
            tally[2] += high
            if not medium:
                report.missed.append(outcome)
        elif row.label == "benign":
            stats.benign += 1
            stats.benign_medium += medium
            stats.benign_high += high
            if medium:
                report.false_alarms.append(outcome)
        else:
            stats.other_scam += 1
            stats.other_scam_medium += medium
            if medium:
                report.other_scam_flagged.append(outcome)
    return report


# --- obfuscation ---------------------------------------------------------------------
# Each transform rewrites the letters of ordinary words. Handles, links and e-mail
# addresses are left alone: a recruiter who disguised them could not be contacted.

_PROTECTED = re.compile(r"@|/|www|\w\.\w")
_CYRILLIC = str.maketrans({
    "a": "а", "c": "с", "e": "е", "i": "і", "o": "о", "p": "р", "x": "х", "y": "у",
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О",
    "P": "Р", "T": "Т", "X": "Х",
})
_LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5",
                       "A": "4", "E": "3", "I": "1", "O": "0", "S": "5"})
_ZERO_WIDTH = "\u200b"
_MIN_SPACED = 4


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def _words(chunk: str) -> list[tuple[bool, str]]:
    """Split a chunk into (is_word, text) runs; a word is letters with their marks."""
    runs: list[tuple[bool, str]] = []
    for ch in chunk:
        word = _is_letter(ch)
        if runs and runs[-1][0] == word:
            runs[-1] = (word, runs[-1][1] + ch)
        else:
            runs.append((word, ch))
    return runs


def _clusters(word: str) -> list[str]:
    """Letters with their combining marks (Thai vowels and tone marks stay attached)."""
    out: list[str] = []
    for ch in word:
        if out and unicodedata.category(ch) in ("Mn", "Mc"):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _map_words(text: str, change: Callable[[str, int], str]) -> str:
    """Apply `change(word, index)` to every word outside protected chunks."""
    out: list[str] = []
    index = 0
    for chunk in re.split(r"(\s+)", text):
        if not chunk or chunk.isspace() or _PROTECTED.search(chunk):
            out.append(chunk)
            continue
        for is_word, run in _words(chunk):
            if is_word:
                out.append(change(run, index))
                index += 1
            else:
                out.append(run)
    return "".join(out)


def _spaced(text: str) -> str:
    # Every other long word is spelled out ("P o i p e t"); two spelled-out words in a
    # row would read as one, which is not how people write them either.
    def change(word: str, index: int) -> str:
        parts = _clusters(word)
        return " ".join(parts) if index % 2 == 0 and len(parts) >= _MIN_SPACED else word

    return _map_words(text, change)


def _zero_width(text: str) -> str:
    return _map_words(text, lambda word, _: _ZERO_WIDTH.join(_clusters(word)))


def _homoglyph(text: str) -> str:
    return _map_words(text, lambda word, _: word.translate(_CYRILLIC))


def _leet(text: str) -> str:
    return _map_words(text, lambda word, _: word.translate(_LEET))


def _no_diacritics(text: str) -> str:
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn"
    )
    return unicodedata.normalize("NFC", stripped.replace("đ", "d").replace("Đ", "D"))


# name -> (transform, languages it applies to)
OBFUSCATIONS: dict[str, tuple[Callable[[str], str], frozenset[str]]] = {
    "spaced": (_spaced, frozenset(LANGUAGES)),
    "homoglyph": (_homoglyph, frozenset(LANGUAGES)),
    "zero-width": (_zero_width, frozenset(LANGUAGES)),
    "leet": (_leet, frozenset(LANGUAGES)),
    "no-diacritics": (_no_diacritics, frozenset({"vi"})),
}


def obfuscate(text: str, name: str) -> str:
    """The `name` variant of `text` (deterministic)."""
    return OBFUSCATIONS[name][0](text)


def obfuscated_lures(rows: Iterable[Row]) -> list[Row]:
    """Every applicable, actually different variant of every lure; kind = the evasion."""
    variants: list[Row] = []
    for row in rows:
        if row.label != "lure":
            continue
        for name, (transform, languages) in OBFUSCATIONS.items():
            text = transform(row.text)
            if row.lang in languages and text != row.text:
                variants.append(Row(f"{row.id}~{name}", row.lang, "lure", text, name))
    return variants


def recall_by_evasion(report: Report) -> dict[str, dict[str, Any]]:
    """Per language, then per evasion (the variants' kind): {n, recall_medium, recall_high}."""
    return {
        lang: {
            kind: {"n": n, "recall_medium": _ratio(med, n), "recall_high": _ratio(high, n)}
            for kind, (n, med, high) in sorted(kinds.items())
        }
        for lang, kinds in sorted(report.lure_kinds.items())
    }


# --- output --------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value * 100:5.1f}%"


def format_report(report: Report, title: str) -> str:
    lines = [title,
             "lang  lures benign  recall@med recall@high  FPR@med FPR@high  other_scam@med"]
    for lang in sorted(report.stats):
        stats = report.stats[lang]
        s = stats.to_json()
        other = f"{stats.other_scam_medium}/{stats.other_scam}" if stats.other_scam else "-"
        lines.append(
            f"{lang:<4} {s['lures']:>6} {s['benign']:>6}  {_pct(s['recall_medium']):>10} "
            f"{_pct(s['recall_high']):>11}  {_pct(s['fpr_medium']):>7} {_pct(s['fpr_high']):>8}  "
            f"{other:>14}"
        )
    for heading, outcomes in (("Missed lures (below medium)", report.missed),
                              ("False alarms (benign at medium+)", report.false_alarms),
                              ("other_scam at medium+ (not false alarms)",
                               report.other_scam_flagged)):
        if outcomes:
            lines += ["", f"{heading}: {len(outcomes)}"]
            lines += [_outcome_line(o) for o in outcomes]
    return "\n".join(lines)


def _outcome_line(outcome: Outcome) -> str:
    rules = "; ".join(
        f"{rule} [{', '.join(repr(e) for e in evidence)}]" for rule, evidence in outcome.fired
    ) or "(no rule fired)"
    kind = f" {outcome.row.kind}" if outcome.row.kind else ""
    return f"  {outcome.row.id}{kind}: {outcome.risk.value} {outcome.score} <- {rules}"


def format_evasions(table: dict[str, dict[str, Any]]) -> str:
    lines = ["Obfuscated lures", "lang  evasion          n  recall@med recall@high"]
    for lang, kinds in table.items():
        for kind, cell in kinds.items():
            lines.append(f"{lang:<4}  {kind:<14} {cell['n']:>4}  {_pct(cell['recall_medium']):>10} "
                         f"{_pct(cell['recall_high']):>11}")
    return "\n".join(lines)


# --- command -------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``eval`` subcommand."""
    parser = subparsers.add_parser(
        "eval", help="measure recall and false alarms on labelled messages",
        description="Per language: recall and false-positive rate at medium+ and at high, "
                    "the missed lures and the false alarms with the rules that fired.",
    )
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH,
                        help="a .jsonl file or a folder of them (default: seeds/examples)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--obfuscate", action="store_true",
                        help="evaluate obfuscated variants of the lures instead")
    parser.set_defaults(func=_cmd_eval)


def _cmd_eval(args: argparse.Namespace) -> int:
    from bot.cli import rules_dir
    from bot.packs.errors import PackError

    try:
        rows = read_rows(args.path)
    except (OSError, ValueError) as exc:
        print(f"lurecheck eval: {exc}", file=sys.stderr)
        return 2
    try:
        engine = Engine.load(rules_dir(args))
    except PackError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        return 2
    if args.obfuscate:
        report = evaluate(engine, obfuscated_lures(rows))
        by_evasion = recall_by_evasion(report)
        if args.json:
            print(json.dumps({"evasions": by_evasion, **report.to_json()}, ensure_ascii=False))
        else:
            print(format_evasions(by_evasion))
            print()
            print(format_report(report, f"Obfuscated lures from {args.path}"))
        return 0
    report = evaluate(engine, rows)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(format_report(report, f"Evaluation of {args.path}"))
    return 0
