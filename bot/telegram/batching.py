"""Collect a burst of forwarded messages into one offer.

When someone forwards a recruiter's pitch it usually arrives as several messages (the
advert, the salary, the contact), which Telegram delivers as separate updates a few
milliseconds apart. Checking each alone misses signs that only add up together and
floods the person with replies, so forwards from one chat are gathered until the chat
has been quiet for ``window`` seconds (or ``max_wait`` has passed since the first one,
or ``max_items`` arrived) and then handed over as one batch.

Timers are plain tasks that re-check a deadline rather than being cancelled and
re-created: PTB's ``Application.stop`` waits for the tasks it spawned, so a pending batch
is still answered during a graceful shutdown.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

Spawn = Callable[[Coroutine[Any, Any, None]], Any]


@dataclass
class _Pending(Generic[T]):
    items: list[T]
    first_at: float
    deadline: float


class Batcher(Generic[K, T]):
    """Debounce items per key and deliver each burst once to ``on_ready``."""

    def __init__(
        self,
        on_ready: Callable[[K, list[T]], Awaitable[None]],
        *,
        window: float,
        max_wait: float,
        max_items: int,
        spawn: Spawn | None = None,
    ) -> None:
        self.window = window
        self.max_wait = max_wait
        self.max_items = max_items
        self._on_ready = on_ready
        self._spawn: Spawn = spawn or asyncio.create_task
        self._pending: dict[K, _Pending[T]] = {}

    def add(self, key: K, item: T) -> None:
        """Queue ``item``; never blocks (safe to call from a handler)."""
        now = time.monotonic()
        pending = self._pending.get(key)
        if pending is None:
            pending = _Pending([item], now, now + self.window)
            self._pending[key] = pending
            self._spawn(self._wait_then_deliver(key, pending))
        else:
            pending.items.append(item)
            pending.deadline = min(now + self.window, pending.first_at + self.max_wait)
        if len(pending.items) >= self.max_items:
            pending.deadline = now

    def pending_for(self, key: K) -> bool:
        return key in self._pending

    async def _wait_then_deliver(self, key: K, pending: _Pending[T]) -> None:
        while (remaining := pending.deadline - time.monotonic()) > 0:
            await asyncio.sleep(remaining)
        if self._pending.get(key) is pending:
            del self._pending[key]
        await self._on_ready(key, pending.items)
