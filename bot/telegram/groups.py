"""Which groups have guard mode on, kept across restarts without storing chat ids.

An admin who turned guard mode on expects it to stay on after a deploy, so the set is
persisted; but a list of group chat ids would tell anyone holding the file which
communities use the bot. We keep HMAC-SHA256 pseudonyms of the chat ids instead (same
secret as the per-user settings, kept outside the data files), in a small JSON file next
to the database, written atomically.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path

from bot.stats.identity import pseudonym

log = logging.getLogger(__name__)

GUARD_FILE = "guarded-groups.json"


class GuardBook:
    """A persisted set of guarded groups, keyed by keyed hash."""

    def __init__(self, path: Path, secret: bytes) -> None:
        self.path = path
        self._secret = secret
        self._guarded: set[str] = set()
        with contextlib.suppress(FileNotFoundError):
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                self._guarded = {str(item) for item in loaded.get("guarded", [])}
            except (ValueError, AttributeError):
                log.warning("%s is unreadable; starting with guard mode off everywhere",
                            path.name)

    def _key(self, chat_id: int) -> str:
        return pseudonym(self._secret, chat_id)

    def is_on(self, chat_id: int) -> bool:
        return self._key(chat_id) in self._guarded

    def set(self, chat_id: int, on: bool) -> None:
        key = self._key(chat_id)
        before = set(self._guarded)
        if on:
            self._guarded.add(key)
        else:
            self._guarded.discard(key)
        if self._guarded != before:
            self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".guard-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"guarded": sorted(self._guarded)}, handle)
            os.replace(tmp, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
