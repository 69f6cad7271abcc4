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
import json
import logging
import time
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

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
                if request_data is not None and not request_data.contains_files:
                    status, payload = await self._post_json(url, request_data, **kwargs)
                else:
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

    async def _post_json(
        self, url: str, request_data: RequestData, **timeouts: Any
    ) -> tuple[int, bytes]:
        """POST the parameters as a JSON body, which the Bot API accepts.

        PTB form-encodes requests, percent-quoting every byte of a reply in Python;
        json.dumps does the same job in C. Timeouts and errors mirror HTTPXRequest.
        """
        # HTTPXRequest keeps its client private; PTB is pinned below 23 in pyproject.toml.
        default = self._client.timeout
        timeout = httpx.Timeout(
            connect=_given(timeouts.get("connect_timeout"), default.connect),
            read=_given(timeouts.get("read_timeout"), default.read),
            write=_given(timeouts.get("write_timeout"), default.write),
            pool=_given(timeouts.get("pool_timeout"), default.pool),
        )
        body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
        try:
            res = await self._client.post(
                url,
                content=body,
                headers={"User-Agent": self.USER_AGENT, "Content-Type": "application/json"},
                timeout=timeout,
            )
        except httpx.TimeoutException as err:
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return res.status_code, res.content


def _given(value: Any, default: float | None) -> float | None:
    """A timeout PTB passed explicitly, or the client's default."""
    return default if value is None or value is BaseRequest.DEFAULT_NONE else float(value)
