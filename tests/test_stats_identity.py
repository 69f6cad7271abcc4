"""Where the pseudonymisation secret comes from, and refusing to use an exposed one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.stats.identity import SECRET_ENV, SecretError, load_secret
from bot.stats.store import Store


@pytest.fixture(autouse=True)
def no_env_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)


def test_generates_a_private_key_file_once(tmp_path: Path) -> None:
    db = tmp_path / "data" / "lurecheck.sqlite3"
    first = load_secret(db)
    key_file = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) == 64
    assert load_secret(db) == first
    assert [p.name for p in key_file.parent.iterdir()] == ["secret.key"]  # no temp left


def test_environment_wins_and_matches_file_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "lurecheck.sqlite3"
    from_file = load_secret(db)
    monkeypatch.setenv(SECRET_ENV, from_file.decode())
    assert load_secret(db) == from_file  # moving the key into the env keeps pseudonyms


def test_refuses_a_key_file_other_users_can_read(tmp_path: Path) -> None:
    db = tmp_path / "lurecheck.sqlite3"
    load_secret(db)
    os.chmod(tmp_path / "secret.key", 0o644)
    with pytest.raises(SecretError, match="chmod 600"):
        load_secret(db)


def test_refuses_short_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "short")
    with pytest.raises(SecretError) as info:
        load_secret(tmp_path / "x.sqlite3")
    assert "short" not in str(info.value)  # never echo a secret


async def test_store_uses_the_generated_key(tmp_path: Path) -> None:
    db = tmp_path / "lurecheck.sqlite3"
    async with await Store.open(db) as store:
        await store.set_language(1, "ko")
    async with await Store.open(db) as store:
        assert await store.get_language(1) == "ko"
    assert (tmp_path / "secret.key").exists()
