"""HTTP transport to the Bot API: aiohttp, with retries only where no duplicate can result.

Why not python-telegram-bot's default (httpx): at a few hundred updates a second the
bot's own CPU went mostly to httpx and httpcore, pure-Python HTTP parsing and pool
bookkeeping (~1.8 ms a request here); aiohttp parses HTTP in C (~0.3 ms). PTB supports
replacing its transport through ``BaseRequest``, which is all this class is.

The Bot API has no idempotency key: if ``sendMessage`` reached Telegram but the answer was
lost, sending again shows the person the same warning twice. So failures are sorted by
*where* they happened:

- Safe to retry (the request was certainly not acted upon): no connection could be made
  or none became free in time (``ClientConnectorError``, ``ConnectionTimeoutError``); the
  server closed the connection without sending any response (``ServerDisconnectedError``:
  the classic stale keep-alive race, where the server never read the request); the server
  answered 500/502/503/504 (it reports it failed).
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

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({500, 502, 503, 504})
SAFE_EXCEPTIONS: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    aiohttp.ServerDisconnectedError,
)


def is_safe_to_retry(error: BaseException) -> bool:
    """True when ``error`` (a PTB NetworkError) proves the request was not processed."""
    return isinstance(error.__cause__, SAFE_EXCEPTIONS)


class RetryingRequest(BaseRequest):
    """A PTB ``BaseRequest`` on aiohttp, with bounded retries that cannot duplicate a send.

    Parameters go as one JSON body (the Bot API accepts it; PTB's form encoding quotes
    every byte of a reply in Python), files as multipart form data.
    """

    def __init__(
        self,
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.last_success = time.monotonic()  # for the container heartbeat (health.py)
        self._pool_size = connection_pool_size
        self._timeouts = {"read": read_timeout, "connect": connect_timeout,
                          "pool": pool_timeout}
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,  # aiohttp has no write timeout
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]  # the API method name; the URL holds the token
        timeout = aiohttp.ClientTimeout(
            # aiohttp's `connect` covers waiting for a free pooled connection and opening one.
            connect=_sum(self._given(pool_timeout, "pool"), self._given(connect_timeout,
                                                                        "connect")),
            sock_connect=self._given(connect_timeout, "connect"),
            sock_read=self._given(read_timeout, "read"),
        )
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                status, payload = await self._send(url, method, request_data, timeout)
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

    async def _send(
        self, url: str, method: str, request_data: RequestData | None,
        timeout: aiohttp.ClientTimeout,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("RetryingRequest is not initialized")
        body: Any = None
        headers = {}
        if request_data is not None and request_data.contains_files:
            body = aiohttp.FormData(request_data.json_parameters)
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        elif request_data is not None:
            body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        try:
            async with self._session.request(method, url, data=body, headers=headers,
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's timeouts subclass it
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err

    def _given(self, value: Any, kind: str) -> float | None:
        """A timeout PTB passed explicitly (None: no limit), or this transport's default."""
        return self._timeouts[kind] if value is BaseRequest.DEFAULT_NONE else value


def _sum(*parts: float | None) -> float | None:
    return None if None in parts else sum(p for p in parts if p is not None)
