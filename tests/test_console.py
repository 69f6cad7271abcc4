"""The console (what `lurecheck run` gives without a token) answers like the bot does."""

from __future__ import annotations

import io

from bot.config import PROJECT_ROOT
from bot.console import html_to_text, run_console


def chat(*messages: str) -> str:
    stdin = io.StringIO("\n\n".join(messages) + "\n")
    stdout = io.StringIO()
    assert run_console(PROJECT_ROOT / "rules", PROJECT_ROOT / "locales", stdin, stdout) == 0
    return stdout.getvalue()


def test_multi_line_offer_gets_one_reply_with_numbered_buttons() -> None:
    out = chat("Poipet casino customer service\n$1500/month, free flight\ncontact @hr_kh")
    assert out.count("Warning signs") == 1 and "“Poipet”" in out
    assert "[:1]" in out and "<b>" not in out  # buttons listed, HTML gone


def test_pressing_a_language_button_re_renders_the_last_result() -> None:
    out = chat("Poipet casino, free flight", ":1")
    english, korean = out.split("[:1]", 1)
    assert "Warning signs" in english and "“Poipet”" in korean and "포이펫" in korean


def test_abroad_button_and_unknown_button() -> None:
    first = chat("Poipet casino, free flight")
    abroad = next(part for part in first.split("[:")[1:] if "🆘" in part).split("]")[0]
    out = chat("Poipet casino, free flight", f":{abroad}", ":99")
    assert "117" in out.split("🆘")[-1] and out.rstrip().endswith("no such button")


def test_language_switch_and_quit() -> None:
    out = chat(":lang vi", "see you at the bus station at 5", ":quit", "free flight")
    assert "reply language: vi" in out and "Không" in out and "free flight" not in out


def test_html_to_text_keeps_link_targets() -> None:
    assert html_to_text('<b>a</b> &amp; <a href="https://x.org/?a=1&amp;b=2">x</a>') == (
        "a & x (https://x.org/?a=1&b=2)"
    )
