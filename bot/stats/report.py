"""NGO-facing reports built from the anonymous counters, with small cells hidden.

Every figure a report prints (cells, row totals, column totals, grand totals) is a
variable ``(metric, key, period)``; tables that share a figure (checks per week is the
total of the risk, language, input and referral tables) share the variable, so
:func:`bot.stats.suppress.suppress` sees the whole published system at once and a value
hidden in one table is hidden in all of them.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from bot.stats.events import DIRECT, KINDS, LANGUAGES, RISKS
from bot.stats.store import Store, open_readonly, read_counts
from bot.stats.suppress import Line, Mark, suppress

By = Literal["day", "week", "all"]
Var = tuple[str, str, str]  # (metric, key, period label)
ALL = "*"  # period label of whole-range figures
DEFAULT_K = 10

# Multi-valued metrics (several rules can fire in one check) get their own totals.
_HIT_TOTALS = {"rule": "rule_hits", "destination": "destination_hits", "new_user": "new_users"}


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    start: date
    end: date


def periods(since: date, until: date, by: By) -> list[Period]:
    """Consecutive periods covering ``since..until``; weeks are ISO weeks (Monday first),
    cut at the range ends."""
    if until < since:
        raise ValueError("--until is before --since")
    if by == "all":
        return [Period(f"{since.isoformat()}..{until.isoformat()}", since, until)]
    out: list[Period] = []
    start = since
    while start <= until:
        if by == "day":
            end = start
            label = start.isoformat()
        else:
            end = min(until, start + timedelta(days=6 - start.weekday()))
            year, week, _ = start.isocalendar()
            label = f"{year}-W{week:02d}"
        out.append(Period(label, start, end))
        start = end + timedelta(days=1)
    return out


@dataclass(frozen=True, slots=True)
class Table:
    """A grid of figures with its margins; ``lines()`` are the equations it publishes."""

    name: str
    title: str
    corner: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Var, ...], ...]
    row_totals: tuple[Var, ...]
    column_totals: tuple[Var, ...]
    total: Var

    def lines(self) -> list[Line]:
        out = [Line(row, tot) for row, tot in zip(self.cells, self.row_totals, strict=True)]
        for j, tot in enumerate(self.column_totals):
            out.append(Line(tuple(row[j] for row in self.cells), tot))
        out.append(Line(self.row_totals, self.total))
        out.append(Line(self.column_totals, self.total))
        return out


def _table(
    name: str,
    title: str,
    corner: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cell: Callable[[str, str], Var],
    row_total: Callable[[str], Var],
    column_total: Callable[[str], Var],
    total: Var,
) -> Table:
    return Table(
        name,
        title,
        corner,
        tuple(rows),
        tuple(columns),
        tuple(tuple(cell(r, c) for c in columns) for r in rows),
        tuple(row_total(r) for r in rows),
        tuple(column_total(c) for c in columns),
        total,
    )


@dataclass(frozen=True)
class Report:
    since: date
    until: date
    by: By
    k: int
    tables: tuple[Table, ...]
    values: dict[Var, int]
    hidden: dict[Var, Mark] = field(default_factory=dict)

    def shown(self, var: Var) -> int | str:
        """What may be printed for *var*: the count, ``<k`` or ``x``."""
        mark = self.hidden.get(var)
        if mark is Mark.SMALL:
            return f"<{self.k}"
        if mark is Mark.COMPLEMENT:
            return "x"
        return self.values[var]

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def legend(self) -> str:
        return (
            f"<{self.k} = between 1 and {self.k - 1}; x = hidden so that a <{self.k} figure "
            "cannot be worked out by subtraction; 0 = none"
        )

    # -- output formats ------------------------------------------------------------

    def grid(self, table: Table) -> list[list[str]]:
        """The table as printable strings, margins included."""
        out = [[table.corner, *table.columns, "total"]]
        for label, row, tot in zip(table.rows, table.cells, table.row_totals, strict=True):
            out.append([label, *(str(self.shown(v)) for v in row), str(self.shown(tot))])
        out.append(
            [
                "total",
                *(str(self.shown(v)) for v in table.column_totals),
                str(self.shown(table.total)),
            ]
        )
        return out

    def to_text(self) -> str:
        parts = [
            f"LureCheck anonymised counts, {self.since.isoformat()} to {self.until.isoformat()}"
            f" (UTC days, by {self.by})",
            self.legend(),
        ]
        for table in self.tables:
            grid = self.grid(table)
            widths = [max(len(row[j]) for row in grid) for j in range(len(grid[0]))]
            lines = [
                "  ".join(
                    cell.ljust(widths[j]) if j == 0 else cell.rjust(widths[j])
                    for j, cell in enumerate(row)
                ).rstrip()
                for row in grid
            ]
            parts.append(f"\n{table.title}\n" + "\n".join(lines))
        return "\n".join(parts) + "\n"

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["table", "row", "column", "value"])
        for table in self.tables:
            grid = self.grid(table)
            for row in grid[1:]:
                for column, value in zip(grid[0][1:], row[1:], strict=True):
                    writer.writerow([table.name, row[0], column, value])
        return buffer.getvalue()

    def to_json(self) -> str:
        tables = [
            {
                "name": t.name,
                "title": t.title,
                "rows": list(t.rows),
                "columns": list(t.columns),
                "cells": [[self.shown(v) for v in row] for row in t.cells],
                "row_totals": [self.shown(v) for v in t.row_totals],
                "column_totals": [self.shown(v) for v in t.column_totals],
                "total": self.shown(t.total),
            }
            for t in self.tables
        ]
        doc: dict[str, Any] = {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "by": self.by,
            "k": self.k,
            "legend": self.legend(),
            "tables": tables,
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _keys(values: dict[Var, int], metric: str, first: str | None = None) -> list[str]:
    """Keys seen for *metric*, alphabetical (never by size: order would leak hidden sizes)."""
    keys = sorted({key for m, key, p in values if m == metric and p == ALL})
    if first in keys:
        keys.remove(first)
        keys.insert(0, first)
    return keys


def build_report(
    rows: Iterable[tuple[str, str, str, int]],
    since: date,
    until: date,
    by: By = "week",
    k: int = DEFAULT_K,
) -> Report:
    """Aggregate counter rows into periods, lay out the tables and suppress."""
    spans = periods(since, until, by)
    label_of: dict[str, str] = {}
    for span in spans:
        current = span.start
        while current <= span.end:
            label_of[current.isoformat()] = span.label
            current += timedelta(days=1)
    values: dict[Var, int] = defaultdict(int)
    for day, metric, key, n in rows:
        label = label_of.get(day)
        if label is None:
            continue
        for period in (label, ALL):
            values[(metric, key, period)] += n
            if metric in _HIT_TOTALS:
                values[(_HIT_TOTALS[metric], "", period)] += n

    labels = [span.label for span in spans]
    checks_total: Var = ("checks", "", ALL)

    def by_period(metric: str, title: str, columns: Sequence[str]) -> Table:
        return _table(
            metric, title, "period", labels, columns,
            lambda p, c: (metric, c, p),
            lambda p: ("checks", "", p),
            lambda c: (metric, c, ALL),
            checks_total,
        )  # fmt: skip

    def per_key(
        metric: str, title: str, corner: str, total_metric: str, first: str | None = None
    ) -> Table:
        return _table(
            metric, title, corner, _keys(values, metric, first), labels,
            lambda key, p: (metric, key, p),
            lambda key: (metric, key, ALL),
            lambda p: (total_metric, "", p),
            (total_metric, "", ALL),
        )  # fmt: skip

    tables = (
        by_period("risk", "Checks by risk level", RISKS),
        by_period("language", "Checks by reply language", LANGUAGES),
        by_period("kind", "Checks by input kind", KINDS),
        _table(
            "risk_language",
            "Risk level by reply language (whole range)",
            "language",
            LANGUAGES,
            RISKS,
            lambda lang, risk: ("risk_language", f"{risk}|{lang}", ALL),
            lambda lang: ("language", lang, ALL),
            lambda risk: ("risk", risk, ALL),
            checks_total,
        ),
        per_key("referral", "Checks by referral link", "referral", "checks", DIRECT),
        per_key("new_user", "New users by referral link", "referral", "new_users", DIRECT),
        per_key("rule", "Checks where each warning sign appeared", "sign", "rule_hits"),
        per_key("destination", "Checks naming each destination", "destination", "destination_hits"),
    )
    figures = {v: values.get(v, 0) for t in tables for line in t.lines() for v in line.entries()}
    hidden = suppress(figures, [line for t in tables for line in t.lines()], k)
    return Report(since, until, by, k, tables, figures, hidden)


async def load_counts(
    source: Store | Path, since: date | None, until: date | None
) -> list[tuple[str, str, str, int]]:
    """Counter rows from a running :class:`Store` (flushed first) or a database file."""
    if isinstance(source, Store):
        return await source.counts(since, until)
    conn = await open_readonly(source)
    try:
        return await read_counts(conn, since, until)
    finally:
        await conn.close()


def _figures(table: Table) -> list[tuple[str, Var]]:
    """``(label, figure)`` pairs of a one-period table, whichever way it is laid out."""
    if table.corner == "period":
        return list(zip(table.columns, table.cells[0], strict=True))
    return [(label, row[0]) for label, row in zip(table.rows, table.cells, strict=True)]


def _summary_line(report: Report, table: Table, limit: int | None = None) -> str:
    pairs = _figures(table)
    if limit is not None:
        # Largest published figures first; hidden ones after, in their alphabetical order.
        published = sorted(
            (pair for pair in pairs if pair[1] not in report.hidden),
            key=lambda pair: -report.values[pair[1]],
        )
        pairs = (published + [pair for pair in pairs if pair[1] in report.hidden])[:limit]
    return ", ".join(f"{label} {report.shown(var)}" for label, var in pairs) or "none"


async def admin_summary(store_or_db_path: Store | Path, today: date, k: int = DEFAULT_K) -> str:
    """Plain-text figures for the last 7 and 30 days (UTC), suppressed like the CLI's."""
    parts = [f"LureCheck stats up to {today.isoformat()} (UTC). <{k} = 1 to {k - 1}; x = hidden."]
    rows = await load_counts(store_or_db_path, today - timedelta(days=29), today)
    for days in (7, 30):
        since = today - timedelta(days=days - 1)
        report = build_report(rows, since, today, "all", k)
        checks = report.shown(report.table("risk").row_totals[0])
        new_users = report.shown(report.table("new_user").column_totals[0])
        parts += [
            "",
            f"Last {days} days ({since.isoformat()} to {today.isoformat()})",
            f"Checks: {checks}",
            f"Risk: {_summary_line(report, report.table('risk'))}",
            f"Language: {_summary_line(report, report.table('language'))}",
            f"Input: {_summary_line(report, report.table('kind'))}",
            f"Top signs: {_summary_line(report, report.table('rule'), 5)}",
            f"New users: {new_users} ({_summary_line(report, report.table('new_user'), 5)})",
        ]
    return "\n".join(parts)
