"""Small-count suppression that survives subtraction.

Published figures form linear equations: every row and column of a table adds up to its
total, and the same quantity (say "checks in week 12") can be the total of several
tables. Hiding a small cell is pointless if it can be solved from these equations, so:

1. *Primary* suppression hides every value in ``1..k-1`` (zero may be shown: CMS policy).
2. *Complementary* suppression then hides more values until no hidden value is determined
   by the published ones. A quick pass handles the common case (a line with exactly one
   hidden entry: hide the next smallest entry of that line); an exact pass then solves the
   whole system, because "two hidden per line" is not enough in general (two 2x2 blocks
   joined by a single hidden cell leave that cell solvable).

The exact test: write each line as ``sum(hidden cells) - hidden total = published part``;
a hidden value is determined iff its unit vector lies in the row space of that system,
i.e. iff its row in the reduced echelon form is the unit vector. We reduce over GF(p)
with p = 2^61-1, whose rank agrees with the rational rank unless p divides a minor of
a small 0/±1 matrix; for table-shaped systems those minors are tiny.

Limitation (documented in docs/stats.md): the attacker model is linear. Someone who
knows that ``x`` cells are at least k can sometimes bound a hidden cell tightly when a
line total is just above k.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

_P = (1 << 61) - 1
V = TypeVar("V", bound=Hashable)


class Mark(StrEnum):
    """Why a value is hidden."""

    SMALL = "small"  # 1..k-1, printed as "<k"
    COMPLEMENT = "complement"  # hidden only to protect a small one, printed as "x"


@dataclass(frozen=True, slots=True)
class Line(Generic[V]):
    """Published equation: ``sum(cells) == total``."""

    cells: tuple[V, ...]
    total: V

    def entries(self) -> tuple[V, ...]:
        return (*self.cells, self.total)


def suppress(values: Mapping[V, int], lines: Sequence[Line[V]], k: int) -> dict[V, Mark]:
    """Return the values to hide and why. Deterministic for a given input order."""
    if k < 1:
        raise ValueError("k must be at least 1")
    hidden: dict[V, Mark] = {v: Mark.SMALL for v, n in values.items() if 0 < n < k}
    if not hidden:
        return hidden
    order = {v: i for i, v in enumerate(values)}
    lines_of: dict[V, list[Line[V]]] = defaultdict(list)
    for line in lines:
        for entry in line.entries():
            lines_of[entry].append(line)

    def complement(candidate_lines: Iterable[Line[V]]) -> V | None:
        """Next smallest published entry of these lines; a zero only as a last resort."""
        published = {e for line in candidate_lines for e in line.entries() if e not in hidden}
        if not published:
            return None
        return min(published, key=lambda e: (values[e] == 0, values[e], order[e]))

    while True:
        # Quick pass: a line with a single hidden entry gives it away by subtraction.
        changed = False
        for line in lines:
            if sum(e in hidden for e in line.entries()) == 1:
                pick = complement([line])
                if pick is not None:
                    hidden[pick] = Mark.COMPLEMENT
                    changed = True
        if changed:
            continue
        # Exact pass: hide one more value next to each solvable one, then re-check.
        solvable = sorted(determined(set(hidden), lines), key=order.__getitem__)
        if not solvable:
            return hidden
        touched: set[V] = set()
        for var in solvable:
            nearby: set[V] = _entries(lines_of[var])
            if touched & nearby:
                continue  # an earlier pick this round may already protect it
            pick = complement(lines_of[var])
            if pick is None:
                pick = complement(
                    line for line in lines if not hidden.keys() >= set(line.entries())
                )
            if pick is None:
                raise RuntimeError("cannot protect a suppressed value: every figure is hidden")
            hidden[pick] = Mark.COMPLEMENT
            touched.add(pick)


def _entries(lines: Iterable[Line[V]]) -> set[V]:
    return {e for line in lines for e in line.entries()}


def determined(hidden: set[V], lines: Sequence[Line[V]]) -> set[V]:
    """Hidden values that the published figures pin down exactly."""
    pivots: dict[V, dict[V, int]] = {}  # reduced rows, keyed by pivot
    for line in lines:
        row: dict[V, int] = {}
        for cell in line.cells:
            if cell in hidden:
                row[cell] = (row.get(cell, 0) + 1) % _P
        if line.total in hidden:
            row[line.total] = (row.get(line.total, 0) - 1) % _P
        for var in [v for v in row if v in pivots]:
            factor = row.get(var, 0)
            if factor:
                for other, coeff in pivots[var].items():
                    row[other] = (row.get(other, 0) - factor * coeff) % _P
        row = {v: c for v, c in row.items() if c}
        if not row:
            continue
        pivot = next(iter(row))
        inverse = pow(row[pivot], _P - 2, _P)
        row = {v: c * inverse % _P for v, c in row.items()}
        for other_row in pivots.values():
            factor = other_row.get(pivot, 0)
            if factor:
                for var, coeff in row.items():
                    updated = (other_row.get(var, 0) - factor * coeff) % _P
                    if updated:
                        other_row[var] = updated
                    else:
                        other_row.pop(var, None)
        pivots[pivot] = row
    return {pivot for pivot, row in pivots.items() if len(row) == 1}
