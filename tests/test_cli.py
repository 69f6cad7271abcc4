"""The `lurecheck` command line: JSON shapes, batch mode, and lint/test exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import PROJECT_ROOT

LURE = "Poipet casino customer service, $1500/month, free flight, contact @hr_kh"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_on(
    capsys: pytest.CaptureFixture[str], project: Path, *argv: str
) -> tuple[int, str, str]:
    """Run a command against a copy of the packs (see the shipped_copy fixture)."""
    return run(capsys, "--rules-dir", str(project / "rules"),
               "--locales-dir", str(project / "locales"), *argv)


def test_check_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--json", LURE)
    data = json.loads(out)
    assert code == 0
    assert set(data) >= {"risk", "score", "language", "destinations", "findings"}
    assert data["risk"] in {"none", "low", "medium", "high"}
    assert isinstance(data["score"], int) and data["language"] == "en"
    assert "KH" in data["destinations"]
    for finding in data["findings"]:
        assert set(finding) >= {"rule", "category", "severity", "evidence"}
        for quote in finding["evidence"]:
            assert quote in LURE  # evidence is the user's own words


def test_check_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("see you at the bus station at 5"))
    code, out, _ = run(capsys, "check", "--json", "-")
    assert code == 0 and json.loads(out)["risk"] == "none"


def test_check_human_output_never_says_safe(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", "see you at the bus station at 5")
    assert "No known warning signs" in out and "safe" not in out.lower()


def test_batch_keeps_order_and_ids_and_survives_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        json.dumps({"id": f"m{i}", "text": text})
        for i, text in enumerate([LURE, "hello", "고수익 알바", "ทำงานต่างประเทศ"])
    ]
    batch = tmp_path / "in.jsonl"
    batch.write_text(
        "\n".join([rows[0], "not json", rows[1], '{"no_text": 1}', *rows[2:]]) + "\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "check", "--json", "--batch", str(batch))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and "2 line(s)" in err
    assert [row.get("id") for row in lines] == ["m0", None, "m1", None, "m2", "m3"]
    assert lines[1]["line"] == 2 and "error" in lines[1]
    assert [row["language"] for row in lines if "id" in row] == ["en", "en", "ko", "th"]


def test_rules_lint_and_test_pass_on_shipped_packs(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "rules", "lint")[0] == 0
    code, _, err = run(capsys, "rules", "test")
    assert code == 0 and " 0 failed" in err


def test_rules_lint_and_test_fail_on_a_broken_copy(
    shipped_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = shipped_copy / "rules"
    victim = sorted((rules / "lures").glob("*.yaml"))[0]
    text = victim.read_text(encoding="utf-8")
    victim.write_text(text.replace("references:", "refrences:", 1), encoding="utf-8")
    code, out, _ = run_on(capsys, shipped_copy, "rules", "lint")
    assert code == 1
    assert f"{victim.name}:" in out and "E101 unknown key 'refrences'" in out
    e101 = next(row for row in out.splitlines() if "E101" in row)
    line = e101.split(f"{victim.name}:")[1].split(":")[0]
    assert text.splitlines()[int(line) - 1].startswith("references:")
    # rules test refuses to run on packs that do not load, with the same message
    with pytest.raises(SystemExit) as stop:
        run_on(capsys, shipped_copy, "rules", "test")
    assert stop.value.code == 2
    assert "E101" in capsys.readouterr().err


def test_rules_test_fails_when_an_example_breaks(
    shipped_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = shipped_copy / "rules"
    victim = rules / "lures" / "free-travel.yaml"
    text = victim.read_text(encoding="utf-8")
    first_no_match = text.index("no_match:")
    broken = text[:first_no_match] + text[first_no_match:].replace(
        'text: "', 'text: "free flight, free air ticket, free accommodation ', 1
    )
    victim.write_text(broken, encoding="utf-8")
    code, out, err = run_on(capsys, shipped_copy, "rules", "test")
    assert code == 1 and "T002" in out and "free-travel.yaml:" in out and " 1 failed" in err


def test_rules_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and rows
    assert all({"id", "category", "terms", "references"} <= set(r) for r in rows)


def test_python_dash_m_bot_is_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--json", LURE],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert done.returncode == 0 and json.loads(done.stdout)["findings"]


def test_broken_packs_give_a_clean_error_not_a_traceback(shipped_copy: Path) -> None:
    (shipped_copy / "rules" / "pack.yaml").write_text("schema: [\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--rules-dir", str(shipped_copy / "rules"), "check", "x"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert "pack.yaml:" in done.stderr and "Traceback" not in done.stderr
