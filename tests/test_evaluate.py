"""`lurecheck eval`: reading labelled rows, counting per language, and the CLI shapes;
plus the measured quality of the shipped packs on seeds/examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import PROJECT_ROOT
from bot.core.engine import Engine
from bot.evaluate import LangStats, Row, evaluate, read_rows

RULES = PROJECT_ROOT / "rules"
EXAMPLES = PROJECT_ROOT / "seeds" / "examples"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(RULES)


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


ROWS = [
    {"id": "l1", "lang": "en", "label": "lure",
     "text": "Poipet casino customer service, $1500/month, free flight, contact @hr_kh"},
    {"id": "l2", "lang": "en", "label": "lure", "text": "Hiring customer service staff"},
    {"id": "b1", "lang": "en", "label": "benign", "text": "see you at the bus station at 5"},
    {"id": "b2", "lang": "en", "label": "benign",
     "text": "Myawaddy office, easy job high pay, free flight, Telegram only"},
    {"id": "o1", "lang": "th", "label": "other_scam", "kind": "sms",
     "text": "งานบริษัท เงินเดือน 60,000 บาท ไม่ต้องมีประสบการณ์ บินฟรี แอดมิน"},
]


def test_counts_misses_false_alarms_and_keeps_other_scams_apart(engine: Engine) -> None:
    rows = [Row(r["id"], r["lang"], r["label"], r["text"], r.get("kind", "")) for r in ROWS]
    report = evaluate(engine, rows)
    en = report.stats["en"]
    assert (en.lures, en.lures_medium, en.lures_high) == (2, 1, 1)
    assert (en.benign, en.benign_medium) == (2, 1)
    assert [o.row.id for o in report.missed] == ["l2"]
    assert [o.row.id for o in report.false_alarms] == ["b2"]
    assert dict(report.false_alarms[0].fired)["free-travel"] == ("free flight",)
    th = report.stats["th"]
    assert (th.other_scam, th.lures, th.benign) == (1, 0, 0)
    assert [o.row.id for o in report.other_scam_flagged] == ["o1"]
    assert LangStats(lures=0).to_json()["recall_medium"] is None


def test_read_rows_takes_a_folder_and_reports_bad_lines(tmp_path: Path) -> None:
    _write(tmp_path / "a.jsonl", ROWS[:2])
    _write(tmp_path / "b.jsonl", ROWS[2:])
    assert [r.id for r in read_rows(tmp_path)] == ["l1", "l2", "b1", "b2", "o1"]
    bad = _write(tmp_path / "bad.jsonl", [ROWS[0], {"id": "x", "lang": "en", "label": "spam",
                                                    "text": "hi"}])
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: label"):
        read_rows(bad)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match=r"no \.jsonl files"):
        read_rows(empty)


def test_cli_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "rows.jsonl", ROWS)
    assert main(["--rules-dir", str(RULES), "eval", str(path)]) == 0
    text = capsys.readouterr().out
    assert "recall@med" in text and "False alarms (benign at medium+): 1" in text
    assert "b2: " in text and "free-travel ['free flight']" in text
    assert main(["--rules-dir", str(RULES), "eval", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["languages"]["en"]["recall_medium"] == 0.5
    assert data["languages"]["en"]["fpr_medium"] == 0.5
    assert data["languages"]["th"]["other_scam_medium"] == 1.0
    assert [o["id"] for o in data["missed"]] == ["l2"]


def test_cli_obfuscate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "rows.jsonl", ROWS)
    assert main(["--rules-dir", str(RULES), "eval", str(path), "--obfuscate", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["evasions"]["en"]) == {"spaced", "homoglyph", "zero-width", "leet"}
    assert data["evasions"]["en"]["homoglyph"]["n"] == 2


def test_cli_reports_unreadable_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "lang": "xx", "label": "lure", "text": "t"}\n', "utf-8")
    assert main(["--rules-dir", str(RULES), "eval", str(bad)]) == 2
    assert "lang must be one of" in capsys.readouterr().err


# --- measured quality on the labelled seed examples --------------------------------
# The acceptance targets, per language: recall >= 95% and false-positive rate <= 2%
# at medium+. A rule change that loses recall or adds false alarms fails here.
MIN_RECALL = 0.95
MAX_FPR = 0.02


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="no labelled examples")
def test_seed_examples_meet_the_acceptance_targets(engine: Engine) -> None:
    report = evaluate(engine, read_rows(EXAMPLES))
    for lang in ("ko", "en", "th", "vi"):
        stats = report.stats[lang].to_json()
        assert stats["lures"] >= 60 and stats["benign"] >= 200, lang
        assert stats["recall_medium"] >= MIN_RECALL, (lang, stats)
        assert stats["fpr_medium"] <= MAX_FPR, (lang, stats)
