"""Keyed pseudonyms for Telegram user ids.

Telegram user ids are small integers (at most 52 significant bits), so an unkeyed hash of
one can be reversed by trying them all. We use HMAC-SHA256 with a secret kept *outside*
the database: a copy of the database alone does not let anyone test whether a given
person ever used the bot (ENISA, Pseudonymisation techniques, 2019, §3.2-3.3).

The secret comes from ``LURECHECK_SECRET`` or, failing that, from ``secret.key`` next to
the database, generated on first use with mode 0600. Both are read as text and used as
UTF-8 bytes, so an operator can move the file's content into the environment variable
without changing anyone's pseudonym.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

SECRET_ENV = "LURECHECK_SECRET"
SECRET_FILE = "secret.key"
MIN_SECRET_BYTES = 16


class SecretError(RuntimeError):
    """The pseudonymisation secret is missing, too weak or not private enough."""


def pseudonym(secret: bytes, user_id: int) -> str:
    """Hex HMAC-SHA256 of the decimal user id: stable per secret, useless without it."""
    if len(secret) < MIN_SECRET_BYTES:
        raise SecretError(f"the secret must be at least {MIN_SECRET_BYTES} bytes")
    return hmac.new(secret, str(int(user_id)).encode("ascii"), hashlib.sha256).hexdigest()


def _checked(value: bytes, origin: str) -> bytes:
    value = value.strip()
    if len(value) < MIN_SECRET_BYTES:
        raise SecretError(
            f"{origin} holds fewer than {MIN_SECRET_BYTES} bytes; use e.g. "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    return value


def _read_private(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(
            f"{path} is readable or writable by other users (mode {stat.S_IMODE(mode):o}); "
            f"run `chmod 600 {path}` or set {SECRET_ENV}"
        )
    return _checked(path.read_bytes(), str(path))


def _create(path: Path) -> None:
    """Write a fresh secret so that nobody ever sees a partial or world-readable file.

    The key is written and fsynced under a temporary name created with mode 0600, then
    hard-linked into place: ``link`` fails if another process won the race, in which case
    we simply use that process's key.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_hex(32).encode("ascii") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_secret(db_path: Path) -> bytes:
    """Return the secret from the environment, else from (a new) ``secret.key``."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return _checked(env.encode("utf-8"), SECRET_ENV)
    key_path = db_path.parent / SECRET_FILE
    if not key_path.exists():
        key_path.parent.mkdir(parents=True, exist_ok=True)
        _create(key_path)
    return _read_private(key_path)
