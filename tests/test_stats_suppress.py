"""Suppressed cells stay hidden: no printed 1..k-1, no recovery by subtraction or algebra."""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping, Sequence
from fractions import Fraction
from typing import TypeVar

import pytest

from bot.stats.suppress import Line, Mark, determined, suppress

Grid = list[list[int]]
H = TypeVar("H", bound=Hashable)


def table(
    grid: Grid, name: str = "t", row_totals: list[Hashable] | None = None
) -> tuple[dict[Hashable, int], list[Line]]:
    """Values and equations of a grid with row, column and grand totals."""
    rows, cols = len(grid), len(grid[0])
    cell = [[(name, i, j) for j in range(cols)] for i in range(rows)]
    rtot = row_totals or [(name, "row", i) for i in range(rows)]
    ctot = [(name, "col", j) for j in range(cols)]
    grand = (name, "all")
    values: dict[Hashable, int] = {}
    for i in range(rows):
        for j in range(cols):
            values[cell[i][j]] = grid[i][j]
        values[rtot[i]] = sum(grid[i])
    for j in range(cols):
        values[ctot[j]] = sum(grid[i][j] for i in range(rows))
    values[grand] = sum(map(sum, grid))
    lines = [Line(tuple(cell[i]), rtot[i]) for i in range(rows)]
    lines += [Line(tuple(cell[i][j] for i in range(rows)), ctot[j]) for j in range(cols)]
    lines += [Line(tuple(ctot), grand), Line(tuple(rtot), grand)]
    return values, lines


def subtraction_attack(values: Mapping[H, int], lines: Sequence[Line[H]], hidden: set[H]) -> set[H]:
    """Brute force over rows, columns and totals: subtract whatever is known, repeat."""
    known = {v for v in values if v not in hidden}
    recovered: set[H] = set()
    progress = True
    while progress:
        progress = False
        for line in lines:
            unknown = [e for e in line.entries() if e not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                recovered.add(unknown[0])
                progress = True
    return recovered


def algebra_attack(lines: Sequence[Line[H]], hidden: set[H]) -> set[H]:
    """Independent exact check over the rationals (dense Fractions, unlike the GF(p)
    sparse code under test): v is solvable iff, in the reduced row echelon form of the
    hidden part of the system, v's pivot row is the unit vector."""
    order = sorted(hidden, key=repr)
    index = {v: i for i, v in enumerate(order)}
    rows: list[list[Fraction]] = []
    for line in lines:
        row = [Fraction(0)] * len(order)
        for e in line.cells:
            if e in hidden:
                row[index[e]] += 1
        if line.total in hidden:
            row[index[line.total]] -= 1
        rows.append(row)
    solvable: set[H] = set()
    r = 0
    pivots: list[tuple[int, int]] = []
    for c in range(len(order)):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][c]
        rows[r] = [a / lead for a in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                f = rows[i][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append((r, c))
        r += 1
    for row_index, column in pivots:
        if sum(1 for a in rows[row_index] if a != 0) == 1:
            solvable.add(order[column])
    return solvable


def check(values: dict[Hashable, int], lines: list[Line], k: int) -> dict[Hashable, Mark]:
    hidden = suppress(values, lines, k)
    shown = {v: n for v, n in values.items() if v not in hidden}
    assert not [n for n in shown.values() if 0 < n < k], "a small value is printed"
    assert all(values[v] > 0 or mark is Mark.COMPLEMENT for v, mark in hidden.items())
    assert subtraction_attack(values, lines, set(hidden)) == set()
    assert algebra_attack(lines, set(hidden)) == set()
    return hidden


def test_single_small_cell_gets_a_partner_in_its_row_and_column() -> None:
    values, lines = table([[50, 3, 40], [60, 70, 80], [90, 25, 30]])
    hidden = check(values, lines, 10)
    assert hidden[("t", 0, 1)] is Mark.SMALL
    assert sum(("t", 0, j) in hidden for j in range(3)) >= 2
    assert sum(("t", i, 1) in hidden for i in range(3)) >= 2


def test_zero_is_shown_and_large_tables_untouched() -> None:
    values, lines = table([[0, 12], [30, 0]])
    assert suppress(values, lines, 10) == {}


def test_small_total_is_hidden_too() -> None:
    values, lines = table([[2, 3], [40, 50]])
    hidden = check(values, lines, 10)
    assert hidden[("t", "row", 0)] is Mark.SMALL


def test_exact_pass_catches_what_two_per_line_misses() -> None:
    # Two 2x2 blocks of hidden cells joined by one hidden cell: every line holds two
    # hidden entries, yet the joining cell is solvable.
    lines = [
        Line(("a", "b", "j"), "R1"),
        Line(("c", "d"), "R2"),
        Line(("e", "f"), "R3"),
        Line(("g", "h", "j"), "R4"),
        Line(("a", "c"), "C1"),
        Line(("b", "d"), "C2"),
        Line(("e", "g"), "C3"),
        Line(("f", "h"), "C4"),
    ]
    hidden = set("abcdefghj")
    assert determined(hidden, lines) == {"j"} == algebra_attack(lines, hidden)
    assert (
        subtraction_attack({v: 1 for v in [*hidden, "R1", "R2", "R3", "R4"]}, lines, hidden)
        == set()
    )


def test_shared_totals_across_tables_cannot_be_used_to_subtract() -> None:
    # Two tables (say risk and language) share their row totals (checks per week).
    first = [[40, 30, 3], [50, 60, 70]]
    second = [[20, 53], [100, 80]]
    shared: list[Hashable] = [("checks", 0), ("checks", 1)]
    v1, l1 = table(first, "risk", shared)
    v2, l2 = table(second, "lang", shared)
    values = {**v1, **v2}
    values[("checks", "all")] = values.pop(("risk", "all"))
    values.pop(("lang", "all"))
    lines = [
        Line(
            line.cells,
            ("checks", "all") if line.total in {("risk", "all"), ("lang", "all")} else line.total,
        )
        for line in l1 + l2
    ]
    check(values, lines, 10)


@pytest.mark.parametrize("seed", range(60))
def test_random_tables_resist_both_attacks(seed: int) -> None:
    rng = random.Random(seed)
    rows, cols = rng.randint(1, 6), rng.randint(1, 6)
    grid = [
        [rng.choice([0, 0, 1, 2, 5, 9, 10, 11, 30, 80, 200]) for _ in range(cols)]
        for _ in range(rows)
    ]
    values, lines = table(grid)
    check(values, lines, rng.choice([5, 10, 11]))


def test_suppress_protects_a_cell_that_only_algebra_would_reveal() -> None:
    # Small cells form two 2x2 blocks joined by the 5 at row 0, column 2: every row and
    # column holds 0 or >= 2 of them, so only the exact pass notices that cell is solvable.
    grid = [[3, 4, 5, 50], [6, 7, 60, 70], [80, 90, 2, 3], [40, 30, 4, 6]]
    values, lines = table(grid)
    primary = {v for v, n in values.items() if 0 < n < 10}
    assert subtraction_attack(values, lines, primary) == set()
    assert algebra_attack(lines, primary) == {("t", 0, 2)}
    hidden = check(values, lines, 10)
    assert len(hidden) > len(primary)
