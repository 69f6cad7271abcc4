"""Shared fixtures: small, self-contained rule packs written to a temp folder.

Engine tests use these instead of the shipped packs, so they keep testing the
engine's behaviour while maintainers change the real rules.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT

PACK_YAML = """\
schema: 1
version: "test"
categories:
  lure.pay: "pay"
  lure.free-travel: "free travel"
  lure.off-platform: "off platform"
  region.compound: "region"
  contact.foreign-phone: "phone"
  context.reporting: "news"
severities: {low: 10, medium: 20, high: 35, mitigating: -30}
bands: {low: 1, medium: 40, high: 70}
combinations:
  - {name: place-plus-offer, all: ["region.*", "lure.*"], bonus: 15}
currency_destinations: {KHR: KH}
"""

RULE_TEMPLATE = """\
id: {id}
status: experimental
category: {category}
severity: {severity}
title: {{en: "t", ko: "t", th: "t", vi: "t"}}
explain: {{en: "e", ko: "e", th: "e", vi: "e"}}
description: "Detects something for the tests."
match:
{match}
references: [test-source]
examples:
  match:
{match_examples}
  no_match:
{no_match_examples}
"""

MakePack = Callable[..., Path]


def rule_yaml(
    rule_id: str,
    match: str,
    match_examples: str,
    no_match_examples: str,
    category: str = "lure.pay",
    severity: str = "medium",
    extra: str = "",
) -> str:
    body = RULE_TEMPLATE.format(
        id=rule_id,
        category=category,
        severity=severity,
        match=textwrap.indent(textwrap.dedent(match).strip("\n"), "  "),
        match_examples=textwrap.indent(textwrap.dedent(match_examples).strip("\n"), "    "),
        no_match_examples=textwrap.indent(textwrap.dedent(no_match_examples).strip("\n"), "    "),
    )
    return body + textwrap.dedent(extra)


@pytest.fixture
def make_pack(tmp_path: Path) -> MakePack:
    """Write pack.yaml plus the given {relative path: yaml text} rules; return rules dir."""

    def make(rules: dict[str, str], pack: str = PACK_YAML) -> Path:
        root = tmp_path / "project"
        rules_dir = root / "rules"
        rules_dir.mkdir(parents=True, exist_ok=True)
        (rules_dir / "pack.yaml").write_text(pack, encoding="utf-8")
        for name, text in rules.items():
            path = rules_dir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        seeds = root / "seeds"
        seeds.mkdir(exist_ok=True)
        (seeds / "sources.yaml").write_text(
            'sources:\n  - {id: test-source, title: "T", publisher: "P", date: "2026-01-01",'
            ' url: "https://example.org", supports: "tests"}\n',
            encoding="utf-8",
        )
        return rules_dir

    return make


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    """A private copy of the real rules/, seeds/sources.yaml and locales/ to break on purpose."""
    root = tmp_path / "shipped"
    shutil.copytree(PROJECT_ROOT / "rules", root / "rules")
    (root / "seeds").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "seeds" / "sources.yaml", root / "seeds" / "sources.yaml")
    if (PROJECT_ROOT / "locales").exists():
        shutil.copytree(PROJECT_ROOT / "locales", root / "locales")
    return root
