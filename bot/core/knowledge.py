"""Everything the bot knows, loaded together and swapped together on reload.

A reload builds a complete new `Knowledge` off to the side; only if every file
validates is it swapped in. A broken file therefore never takes the bot down: the
last good packs keep serving and the reload reports why it was refused.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.core import reply
from bot.core.engine import Engine
from bot.core.guidance import Guidance, load_guidance
from bot.i18n import Catalogs, load_catalogs
from bot.packs.errors import Issue, PackError

GUIDANCE_DIR = "guidance"


@dataclass(frozen=True)
class Knowledge:
    engine: Engine
    guidance: Guidance
    catalogs: Catalogs
    # W-coded issues found while loading (e.g. an advisory naming a region no rule has):
    # they do not block loading, so they travel with the result for lint to print.
    warnings: tuple[Issue, ...] = ()


def load_knowledge(rules_dir: Path, locales_dir: Path) -> Knowledge:
    """Load and validate everything; raise PackError listing every problem found.

    Rules, guidance data and translations are all checked in the same pass, so one
    run of `lurecheck rules lint` lists every problem. Warnings (W codes) do not block.
    """
    issues: list[Issue] = []
    engine = None
    try:
        engine = Engine.load(rules_dir)
    except PackError as exc:
        issues += exc.issues
    catalogs, catalog_issues = load_catalogs(locales_dir, reply.messages().values())
    issues += catalog_issues
    guidance, guidance_issues = load_guidance(rules_dir / GUIDANCE_DIR, _region_ids(engine))
    issues += guidance_issues
    errors = [i for i in issues if not i.code.startswith("W")]
    if errors or engine is None or guidance is None or catalogs is None:
        raise PackError(errors)
    return Knowledge(engine, guidance, catalogs, warnings=tuple(sorted(issues)))


def _region_ids(engine: Engine | None) -> frozenset[str] | None:
    """Ids of the region rules, or None while no region pack exists (skips that check)."""
    if engine is None:
        return None
    ids = frozenset(r.id for r in engine.rules.values() if r.category.startswith("region."))
    return ids or None


class KnowledgeHolder:
    """Holds the current Knowledge; `reload()` swaps it only when the new one is valid."""

    def __init__(self, rules_dir: Path, locales_dir: Path) -> None:
        self.rules_dir = rules_dir
        self.locales_dir = locales_dir
        self._lock = threading.Lock()
        self._current = load_knowledge(rules_dir, locales_dir)
        _settle()

    @property
    def current(self) -> Knowledge:
        return self._current

    def reload(self) -> list[Issue]:
        """Return [] when the new packs are live, else the issues (old packs still serve)."""
        with self._lock:
            try:
                fresh = load_knowledge(self.rules_dir, self.locales_dir)
            except PackError as exc:
                return exc.issues
            self._current = fresh
            _settle()
            return []


def _settle() -> None:
    """Exempt the long-lived packs from garbage collection passes.

    The automata and rules are tens of thousands of objects that live until the next
    reload; without this every full GC pass walks them, which shows up as a few
    milliseconds of latency on an unlucky message.
    """
    gc.collect()
    gc.freeze()
