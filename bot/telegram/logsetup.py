"""Logging that cannot leak what people send us, who they are, or the bot token.

Why each measure exists:
- python-telegram-bot logs every incoming update ("Processing update …") and every API
  call with its parameters (reply text, chat_id) at DEBUG; HTTP clients log request
  URLs, which contain the bot token. Those loggers are therefore capped (``telegram``/
  ``apscheduler`` at INFO, ``aiohttp`` and, should PTB's default transport ever be used,
  ``httpx``/``httpcore``/``hpack`` at WARNING) *whatever* LOG_LEVEL says: DEBUG is for
  our own code.
- A filter on the handler scrubs anything shaped like a bot token from every record that
  gets through anyway (a library warning quoting a URL, a traceback). Message text and
  user ids are kept out at the source instead: our code never formats them into a log
  line, and the error handler logs only the exception type and the update id.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

# A bot token is "<digits>:<35 url-safe characters>"; scrub it even when inside a URL.
TOKEN_RE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
REDACTED = "<token>"

CAPPED_LOGGERS: dict[str, int] = {
    "telegram": logging.INFO,
    "apscheduler": logging.INFO,
    "aiohttp": logging.WARNING,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "hpack": logging.WARNING,
    "tornado.access": logging.WARNING,
    "aiosqlite": logging.INFO,
    "PIL": logging.INFO,
}


class ScrubTokens(logging.Filter):
    """Replace bot tokens in the final message and drop args so nothing re-renders them."""

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self._token = token or None

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token:
            message = message.replace(self._token, REDACTED)
        message = TOKEN_RE.sub(REDACTED, message)
        record.msg = message
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Render the traceback now and scrub it too; then drop the live exception.
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = TOKEN_RE.sub(REDACTED, formatted)
            if self._token:
                record.exc_text = record.exc_text.replace(self._token, REDACTED)
            record.exc_info = None
        return True


def level_from_name(name: str | None) -> int:
    """LOG_LEVEL text to a level; unknown names mean INFO rather than a crash."""
    value = logging.getLevelName((name or "INFO").strip().upper())
    return value if isinstance(value, int) else logging.INFO


def make_handler(stream: TextIO | None = None, token: str | None = None) -> logging.Handler:
    """A stream handler with our format and the token scrubber attached."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ScrubTokens(token))
    return handler


def setup_logging(level: str | int | None = None, token: str | None = None,
                  stream: TextIO | None = None) -> logging.Handler:
    """Configure the root logger once for the process; returns the installed handler."""
    numeric = level if isinstance(level, int) else level_from_name(level)
    handler = make_handler(stream, token)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    cap_library_loggers(numeric)
    return handler


def cap_library_loggers(level: int) -> None:
    """Never let chatty libraries log below their cap, even when we run at DEBUG."""
    for name, cap in CAPPED_LOGGERS.items():
        logging.getLogger(name).setLevel(max(level, cap))
