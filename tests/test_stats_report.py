"""Reports, the /stats summary and `lurecheck stats`: small figures never leak."""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from test_stats_suppress import algebra_attack, subtraction_attack

from bot.stats.events import CheckEvent
from bot.stats.report import admin_summary, build_report, load_counts, periods
from bot.stats.store import Store

SECRET = b"report-secret-0123456789abcdef"
MONDAY = date(2026, 2, 2)
USER_IDS = [6_100_000_000 + 104_729 * i for i in range(40)]


async def fill(db: Path) -> Store:
    """Three weeks with plenty of common figures and a sprinkle of rare ones."""
    store = await Store.open(db, SECRET, flush_interval=3600)
    for i, user_id in enumerate(USER_IDS):
        await store.note_contact(user_id, "ngo-a" if i % 5 == 0 else None, MONDAY)
    for offset in range(21):
        day = MONDAY + timedelta(days=offset)
        for i in range(12):
            store.record(
                CheckEvent(
                    day=day,
                    language=("ko", "en")[i % 2],
                    kind="forward",
                    risk=("high", "medium", "none")[i % 3],
                    rules=("free-travel",) if i % 3 != 2 else (),
                    destinations=("KH",),
                    referral="ngo-a" if i < 4 else None,
                )
            )
        if offset in (3, 10):  # rare: Thai photo about Myanmar, reached via a tiny campaign
            store.record(
                CheckEvent(day, "th", "photo", "low", ("passport-kept",), ("MM",), "tiny")
            )
    await store.flush()
    return store


def printed_numbers(report_json: dict[str, object]) -> list[int]:
    out = []
    for table in report_json["tables"]:  # type: ignore[attr-defined]
        for row in table["cells"]:
            out += [v for v in row if isinstance(v, int)]
        out += [v for v in table["row_totals"] + table["column_totals"] if isinstance(v, int)]
        out += [table["total"]] if isinstance(table["total"], int) else []
    return out


def test_periods_follow_iso_weeks_and_cut_at_the_ends() -> None:
    got = periods(date(2026, 1, 1), date(2026, 1, 14), "week")
    assert [(p.label, p.start.day, p.end.day) for p in got] == [
        ("2026-W01", 1, 4),
        ("2026-W02", 5, 11),
        ("2026-W03", 12, 14),
    ]
    assert len(periods(date(2026, 1, 1), date(2026, 1, 14), "day")) == 14


@pytest.mark.parametrize("by", ["day", "week"])
async def test_report_hides_small_figures_everywhere(tmp_path: Path, by: str) -> None:
    store = await fill(tmp_path / "s.sqlite3")
    rows = await load_counts(store, None, None)
    await store.close()
    report = build_report(rows, MONDAY, MONDAY + timedelta(days=20), by, 10)  # type: ignore[arg-type]

    assert report.values[("language", "th", "*")] == 2
    assert report.shown(("language", "th", "*")) == "<10"
    assert report.shown(("checks", "", "*")) == 21 * 12 + 2 == report.values[("checks", "", "*")]

    as_json = json.loads(report.to_json())
    assert not [n for n in printed_numbers(as_json) if 0 < n < 10]
    csv_values = [row["value"] for row in csv.DictReader(io.StringIO(report.to_csv()))]
    assert not [v for v in csv_values if v.isdigit() and 0 < int(v) < 10]
    text_numbers = re.findall(r"(?<![<\w-])\d+(?![\w-])", report.to_text().split("\n", 2)[2])
    assert not [n for n in text_numbers if 0 < int(n) < 10]

    # The attacks see every published equation, shared margins included.
    lines = [line for table in report.tables for line in table.lines()]
    assert report.hidden
    assert subtraction_attack(report.values, lines, set(report.hidden)) == set()
    assert algebra_attack(lines, set(report.hidden)) == set()

    # A figure shared by several tables is shown (or hidden) the same way in all of them.
    totals = [json.dumps(t["row_totals"]) for t in as_json["tables"][:3]]
    assert len(set(totals)) == 1


async def test_admin_summary_is_suppressed(tmp_path: Path) -> None:
    store = await fill(tmp_path / "s.sqlite3")
    store.record(CheckEvent(MONDAY + timedelta(days=20), "vi", "text", "high"))  # unflushed
    text = await admin_summary(store, MONDAY + timedelta(days=20))
    await store.close()
    assert "Last 7 days" in text and "Last 30 days" in text
    figures = [line for line in text.splitlines() if ":" in line and "(UTC)" not in line]
    assert any("vi <10" in line for line in figures)  # the unflushed check was counted
    assert "Checks: 255" in text  # 21 days x 12 + 2 rare + 1 vi
    assert not [n for line in figures for n in re.findall(r"(?<![<\w-])[1-9](?![\w-])", line)]
    # Also accepts a database path, as the CLI and a separate admin process would.
    from_path = await admin_summary(tmp_path / "s.sqlite3", MONDAY + timedelta(days=20))
    assert from_path == text


def run_cli(argv: list[str]) -> int:
    from bot.stats.cli import register

    parser = argparse.ArgumentParser(prog="lurecheck")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


async def test_cli_formats_and_plot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "s.sqlite3"
    await (await fill(db)).close()
    monkeypatch.setenv("LURECHECK_DB", str(db))
    outputs = []
    for fmt in ("table", "csv", "json"):
        png = tmp_path / f"weekly-{fmt}.png"
        assert await _in_thread(["stats", "--format", fmt, "--by", "day", "--plot", str(png)]) == 0
        outputs.append(capsys.readouterr().out)
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        assert len(data) > 20_000  # a real two-panel chart, not an empty canvas
    assert json.loads(outputs[2])["by"] == "day"
    assert "Checks by risk level" in outputs[0]
    for output in outputs:  # exported reports carry no user id
        assert not [u for u in USER_IDS if str(u) in output or f"{u:x}" in output]

    assert await _in_thread(["stats", "--since", "2030-01-01"]) == 1
    assert "no counts" in capsys.readouterr().err
    assert await _in_thread(["stats", "--db", str(tmp_path / "missing.sqlite3")]) == 2


async def test_cli_demo_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo = tmp_path / "demo.sqlite3"
    argv = ["stats", "--demo-db", str(demo), "--until", "2026-03-01", "--format", "json"]
    assert await _in_thread(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["until"] == "2026-03-01"
    assert not [n for n in printed_numbers(report) if 0 < n < 10]
    assert not (tmp_path / "secret.key").exists()  # demo uses a throwaway secret
    with pytest.raises(FileExistsError):
        await _in_thread(argv)


async def _in_thread(argv: list[str]) -> int:
    """The CLI runs its own event loop (asyncio.run), so call it off this test's loop."""
    import asyncio

    return await asyncio.to_thread(run_cli, argv)
