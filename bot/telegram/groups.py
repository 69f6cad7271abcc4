"""Which groups have guard mode on, kept across restarts without storing chat ids.

An admin who turned guard mode on expects it to stay on after a deploy, so the set is
persisted; but a list of group chat ids would tell anyone holding the file which
communities use the bot. We keep HMAC-SHA256 pseudonyms of the chat ids instead (same
secret as the per-user settings, kept outside the data files), in a small JSON file next
to the database, written atomically.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import tempfile
from pathlib import Path

from bot.stats.identity import pseudonym

log = logging.getLogger(__name__)

GUARD_FILE = "guarded-groups.json"


class GuardBook:
    """A persisted set of guarded groups, keyed by keyed hash.

    Several bot workers (``shards.py``) share the file, each changing only the groups it
    serves: a change re-reads the file under a lock, so one worker never writes back a
    stale copy over another's change.
    """

    def __init__(self, path: Path, secret: bytes) -> None:
        self.path = path
        self._secret = secret
        self._guarded = self._read()

    def _read(self) -> set[str]:
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            return {str(item) for item in loaded.get("guarded", [])}
        except FileNotFoundError:
            return set()
        except (ValueError, AttributeError):
            log.warning("%s is unreadable; starting with guard mode off everywhere",
                        self.path.name)
            return set()

    def _key(self, chat_id: int) -> str:
        return pseudonym(self._secret, chat_id)

    def is_on(self, chat_id: int) -> bool:
        return self._key(chat_id) in self._guarded

    def set(self, chat_id: int, on: bool) -> None:
        key = self._key(chat_id)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            self._guarded = self._read()
            before = set(self._guarded)
            if on:
                self._guarded.add(key)
            else:
                self._guarded.discard(key)
            if self._guarded != before:
                self._save()

    def _save(self) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".guard-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"guarded": sorted(self._guarded)}, handle)
            os.replace(tmp, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
