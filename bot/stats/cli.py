"""`lurecheck stats`: anonymised counts for NGOs, with small cells hidden.

Kept import-light: the report, plot and demo modules (and matplotlib) load only when the
command runs, so other subcommands start fast.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from bot.stats.store import DEFAULT_DB_ENV, DEFAULT_DB_PATH


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _k(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError("k must be at least 2")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``stats`` subcommand."""
    stats = subparsers.add_parser(
        "stats",
        help="anonymised counts for NGOs (small figures hidden)",
        description=(
            "Print the anonymised per-day counts grouped by day or ISO week. Figures from 1 "
            "to k-1 print as '<k' and further figures print as 'x' where needed so that "
            "no hidden figure can be worked out from totals."
        ),
    )
    stats.add_argument(
        "--since", type=_day, metavar="DATE", help="first UTC day (default: first with data)"
    )
    stats.add_argument(
        "--until", type=_day, metavar="DATE", help="last UTC day (default: last with data)"
    )
    stats.add_argument(
        "--by", choices=["day", "week"], default="week", help="period (default: week)"
    )
    stats.add_argument("--format", choices=["table", "csv", "json"], default="table", dest="fmt")
    stats.add_argument("--k", type=_k, default=10, help="hide figures below k (default 10)")
    stats.add_argument(
        "--plot",
        type=Path,
        metavar="FILE.png",
        help="also write weekly checks by risk level and language as a PNG",
    )
    stats.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help=f"database (default: ${DEFAULT_DB_ENV} or {DEFAULT_DB_PATH})",
    )
    stats.add_argument(
        "--demo-db",
        type=Path,
        metavar="PATH",
        help="first write 12 weeks of invented counts to the NEW file PATH, "
        "then report from it (to try the reports without real data)",
    )
    stats.set_defaults(func=_cmd_stats)  # fmt: skip


def _cmd_stats(args: argparse.Namespace) -> int:
    return asyncio.run(_stats(args))


async def _stats(args: argparse.Namespace) -> int:
    from bot.stats.report import build_report, load_counts

    if args.demo_db is not None:
        from bot.stats.demo import write_demo

        await write_demo(args.demo_db, until=args.until or datetime.now(UTC).date())
        db = args.demo_db
    else:
        db = args.db or Path(os.environ.get(DEFAULT_DB_ENV) or DEFAULT_DB_PATH)
    try:
        rows = await load_counts(db, args.since, args.until)
    except FileNotFoundError as exc:
        print(f"lurecheck stats: {exc}", file=sys.stderr)
        return 2
    days = [date.fromisoformat(day) for day, _, _, _ in rows]
    since = args.since or (min(days) if days else None)
    until = args.until or (max(days) if days else None)
    if since is None or until is None:
        print("lurecheck stats: no counts in that range yet", file=sys.stderr)
        return 1
    if until < since:
        print("lurecheck stats: --until is before --since", file=sys.stderr)
        return 2
    report = build_report(rows, since, until, args.by, args.k)
    output = {"table": report.to_text, "csv": report.to_csv, "json": report.to_json}[args.fmt]
    sys.stdout.write(output())
    if args.plot is not None:
        from bot.stats.plot import plot_weekly

        weekly = report if args.by == "week" else build_report(rows, since, until, "week", args.k)
        plot_weekly(weekly, args.plot)
        print(f"lurecheck stats: wrote {args.plot}", file=sys.stderr)
    return 0
