"""Configuration from environment variables (documented in README.md)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_TOKEN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,64}$")


class ConfigError(Exception):
    """A setting is missing or malformed. The message is one line and never echoes secrets."""


def validate_token(token: str) -> str:
    token = token.strip()
    if not _TOKEN.match(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<30-64 letters, digits, _ or ->' "
            "as given by @BotFather"
        )
    return token


def _admin_ids(raw: str) -> frozenset[int]:
    ids = set()
    for part in filter(None, (p.strip() for p in raw.split(","))):
        if not part.isdigit():
            raise ConfigError(
                "LURECHECK_ADMIN_IDS must be comma-separated numeric Telegram user ids"
            )
        ids.add(int(part))
    return frozenset(ids)


MAX_WORKERS = 64


def workers_from(raw: str) -> int:
    raw = raw.strip() or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WORKERS:
        raise ConfigError(
            f"LURECHECK_WORKERS (or --workers) must be a whole number from 1 to {MAX_WORKERS}")
    return int(raw)


def rules_dir_from_env(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("LURECHECK_RULES_DIR") or PROJECT_ROOT / "rules")


def locales_dir_from_env(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("LURECHECK_LOCALES_DIR") or PROJECT_ROOT / "locales")


@dataclass(frozen=True)
class Settings:
    token: str | None
    api_base_url: str | None
    api_base_file_url: str | None
    db_path: Path
    admin_ids: frozenset[int]
    log_level: str
    rules_dir: Path
    locales_dir: Path
    # Bot processes behind one update stream (bot/telegram/shards.py); 1 = a single process.
    workers: int = 1

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        raw_token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        level = env.get("LOG_LEVEL", "INFO").upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ConfigError(
                f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {level!r}"
            )
        return cls(
            token=validate_token(raw_token) if raw_token else None,
            api_base_url=env.get("TELEGRAM_API_BASE_URL") or None,
            api_base_file_url=env.get("TELEGRAM_API_BASE_FILE_URL") or None,
            db_path=Path(env.get("LURECHECK_DB") or "data/lurecheck.sqlite3"),
            admin_ids=_admin_ids(env.get("LURECHECK_ADMIN_IDS", "")),
            log_level=level,
            rules_dir=rules_dir_from_env(env),
            locales_dir=locales_dir_from_env(env),
            workers=workers_from(env.get("LURECHECK_WORKERS", "1")),
        )
