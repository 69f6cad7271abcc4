"""Guard mode survives restarts, and workers sharing the file keep each other's changes."""

from __future__ import annotations

from pathlib import Path

from bot.telegram.groups import GuardBook

SECRET = b"guard-test-secret-0123456789abcd"


def test_two_workers_keep_each_others_groups(tmp_path: Path) -> None:
    path = tmp_path / "guarded-groups.json"
    first, second = GuardBook(path, SECRET), GuardBook(path, SECRET)
    first.set(-1001, True)
    second.set(-1002, True)  # loaded before -1001 was guarded; must not drop it
    first.set(-1003, True)
    restarted = GuardBook(path, SECRET)
    assert [restarted.is_on(chat) for chat in (-1001, -1002, -1003, -1004)] == \
        [True, True, True, False]
    first.set(-1002, False)
    assert not GuardBook(path, SECRET).is_on(-1002)
    assert GuardBook(path, SECRET).is_on(-1003)


def test_the_file_holds_no_chat_ids_and_a_broken_file_means_all_off(tmp_path: Path) -> None:
    path = tmp_path / "guarded-groups.json"
    GuardBook(path, SECRET).set(-1001234567890, True)
    assert "1234567890" not in path.read_text()
    path.write_text("{not json")
    book = GuardBook(path, SECRET)
    assert not book.is_on(-1001234567890)
    book.set(-1005, True)
    assert GuardBook(path, SECRET).is_on(-1005)
