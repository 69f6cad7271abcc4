"""HTTP transport that retries a failed Bot API call only when it cannot cause a duplicate.

The Bot API has no idempotency key: if ``sendMessage`` reached Telegram but the answer was
lost, sending again shows the person the same warning twice. So failures are sorted by
*where* they happened:

- Safe to retry (the request was certainly not acted upon): the connection could not be
  made or the request not written (``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``,
  ``WriteError``, ``WriteTimeout``); the server closed the connection without sending any
  response (``RemoteProtocolError``: the classic stale keep-alive race, where the server
  never read the request); the server answered 500/502/503/504 (it reports it failed).
- Not retried (the outcome is unknown): a read timeout or a connection reset while
  waiting for the answer. The request may have been delivered; we log that a reply may
  be missing rather than risk a duplicate.

429 is not handled here: PTB's ``AIORateLimiter`` sees ``RetryAfter`` above this layer,
waits the advised time and retries.

Residual risk (documented in docs/deploy.md): a server that processes a request and then
closes the connection without answering looks exactly like the stale keep-alive case and
is retried.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
from telegram.error import NetworkError
from telegram.request import HTTPXRequest, RequestData

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({500, 502, 503, 504})
SAFE_EXCEPTIONS: tuple[type[BaseException], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.RemoteProtocolError,
)


def is_safe_to_retry(error: BaseException) -> bool:
    """True when ``error`` (a PTB NetworkError) proves the request was not processed."""
    cause = error.__cause__
    return isinstance(cause, SAFE_EXCEPTIONS)


class RetryingRequest(HTTPXRequest):
    """``HTTPXRequest`` plus bounded retries for failures that cannot duplicate a send."""

    def __init__(self, *, attempts: int = 4, backoff: float = 0.5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.last_success = time.monotonic()  # for the container heartbeat (health.py)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]  # the API method name; the URL holds the token
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                status, payload = await super().do_request(
                    url, method, request_data, *args, **kwargs
                )
            except NetworkError as exc:
                if last or not is_safe_to_retry(exc):
                    if not is_safe_to_retry(exc) and endpoint != "getUpdates":
                        log.warning("%s: outcome unknown after %s; not retried to avoid a "
                                    "duplicate", endpoint, type(exc.__cause__).__name__)
                    raise
                log.info("%s: %s, retry %d/%d", endpoint, type(exc.__cause__).__name__,
                         attempt, self.attempts - 1)
            else:
                if status not in RETRYABLE_STATUS or last:
                    if status < 500:
                        self.last_success = time.monotonic()
                    return status, payload
                log.info("%s: HTTP %d, retry %d/%d", endpoint, status, attempt,
                         self.attempts - 1)
            await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover
