"""A weekly picture NGOs can paste into a report.

The plot shows only what the suppressed weekly report publishes: each bar stacks the
published cells, and the cells hidden in that week are drawn as one grey "hidden" block
whose height is the published week total minus the published cells (a figure anyone can
compute from the table). A week whose total is itself hidden gets no bar, just its
``<k``/``x`` label. matplotlib is imported lazily: it is slow to import and only this
command needs it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.stats.report import Report, Table

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_RISK_COLOURS = {"none": "#9fc5a8", "low": "#f3d36b", "medium": "#f0923e", "high": "#c8372d"}
_LANGUAGE_COLOURS = {"ko": "#3b6fb6", "en": "#7fb3d5", "th": "#8e6bbf", "vi": "#46a08a"}
_LANGUAGE_NAMES = {"ko": "Korean", "en": "English", "th": "Thai", "vi": "Vietnamese"}
_HIDDEN = "#cfcfcf"


def _week_tick(label: str) -> str:
    """ "2026-W07" -> "W07\\n9 Feb": week number plus the Monday, readable without a calendar."""
    year, week = label.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    return f"W{week}\n{monday.day} {monday:%b}"


def _stacked(ax: Axes, report: Report, table: Table, colours: dict[str, str],
             names: dict[str, str]) -> None:  # fmt: skip
    x = list(range(len(table.rows)))
    bottoms = [0] * len(x)
    for j, column in enumerate(table.columns):
        heights = []
        for i, row in enumerate(table.cells):
            shown = report.shown(row[j])
            total_shown = isinstance(report.shown(table.row_totals[i]), int)
            heights.append(shown if isinstance(shown, int) and total_shown else 0)
        ax.bar(x, heights, bottom=bottoms, color=colours[column], width=0.75,
               label=names.get(column, column), edgecolor="white", linewidth=0.5)  # fmt: skip
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    hidden = []
    for i, total_var in enumerate(table.row_totals):
        total = report.shown(total_var)
        hidden.append(total - bottoms[i] if isinstance(total, int) else 0)
        if not isinstance(total, int):
            ax.annotate(total, (i, 0), ha="center", va="bottom", fontsize=9, color="#555555")
    if any(hidden):
        ax.bar(x, hidden, bottom=bottoms, color=_HIDDEN, width=0.75, hatch="///",
               edgecolor="white", linewidth=0.5, label=f"hidden (<{report.k})")  # fmt: skip
    ax.set_xticks(x, [_week_tick(label) for label in table.rows], fontsize=8)
    ax.set_ylabel("checks per week")
    ax.grid(axis="y", color="#e5e5e5")
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=5)
    ax.margins(y=0.15)


def plot_weekly(report: Report, path: Path) -> None:
    """Write a two-panel PNG: weekly checks by risk level and by reply language."""
    if report.by != "week":
        raise ValueError("the plot needs a weekly report")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (risk_ax, lang_ax) = plt.subplots(2, 1, figsize=(10, 7.5), sharex=True, dpi=120)
    try:
        _stacked(risk_ax, report, report.table("risk"), _RISK_COLOURS, {})
        risk_ax.set_title("Checks per week by risk level", loc="left", fontsize=12)
        _stacked(lang_ax, report, report.table("language"), _LANGUAGE_COLOURS, _LANGUAGE_NAMES)
        lang_ax.set_title("Checks per week by reply language", loc="left", fontsize=12)
        fig.suptitle(
            f"LureCheck anonymised counts, {report.since} to {report.until}",
            fontsize=13,
        )
        fig.text(
            0.01, 0.005,
            f"Weeks are ISO weeks (UTC); first and last may be partial. Figures under {report.k}"
            " are hidden (grey), with complementary hiding so they cannot be subtracted out.",
            fontsize=7.5, color="#555555",
        )  # fmt: skip
        fig.tight_layout(rect=(0, 0.02, 1, 1))
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
