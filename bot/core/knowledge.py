"""Everything the bot knows, loaded together and swapped together on reload.

A reload builds a complete new `Knowledge` off to the side; only if every file
validates is it swapped in. A broken file therefore never takes the bot down: the
last good packs keep serving and the reload reports why it was refused.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from bot.core.engine import Engine
from bot.packs.errors import Issue, PackError


@dataclass(frozen=True)
class Knowledge:
    engine: Engine


def load_knowledge(rules_dir: Path, locales_dir: Path) -> Knowledge:
    """Load and validate everything; raise PackError listing every problem found."""
    issues: list[Issue] = []
    engine = None
    try:
        engine = Engine.load(rules_dir)
    except PackError as exc:
        issues += exc.issues
    if issues or engine is None:
        raise PackError(issues)
    return Knowledge(engine=engine)


class KnowledgeHolder:
    """Holds the current Knowledge; `reload()` swaps it only when the new one is valid."""

    def __init__(self, rules_dir: Path, locales_dir: Path) -> None:
        self.rules_dir = rules_dir
        self.locales_dir = locales_dir
        self._lock = threading.Lock()
        self._current = load_knowledge(rules_dir, locales_dir)

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
            return []
