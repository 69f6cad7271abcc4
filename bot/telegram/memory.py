"""Small in-memory structures with bounded size: rate windows and a TTL cache.

Everything here lives only in RAM and forgets on its own. That is the point: the flood
limit needs to know who sent what *recently*, and the language buttons need the last
results for a while, but neither may ever reach the disk (privacy rule: no message text,
no raw user id at rest).
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Clock = Callable[[], float]


class SlidingWindow(Generic[K]):
    """At most ``limit`` events per ``period`` seconds per key.

    Keys that go quiet are dropped once their window is empty, and the number of keys
    tracked is capped so a flood of distinct senders cannot grow memory without bound.
    """

    def __init__(self, limit: int, period: float, max_keys: int = 100_000,
                 clock: Clock = time.monotonic) -> None:
        self.limit = limit
        self.period = period
        self.max_keys = max_keys
        self._clock = clock
        self._events: OrderedDict[K, deque[float]] = OrderedDict()

    def _window(self, key: K, now: float) -> deque[float]:
        window = self._events.get(key)
        if window is None:
            window = deque()
            self._events[key] = window
            while len(self._events) > self.max_keys:
                self._events.popitem(last=False)
        else:
            self._events.move_to_end(key)
        while window and now - window[0] >= self.period:
            window.popleft()
        return window

    def hit(self, key: K) -> bool:
        """Count one event for ``key``; False (and not counted) when over the limit."""
        now = self._clock()
        window = self._window(key, now)
        if len(window) >= self.limit:
            return False
        window.append(now)
        return True


class TtlCache(Generic[K, V]):
    """A least-recently-used map whose entries also expire after ``ttl`` seconds."""

    def __init__(self, ttl: float, max_items: int, clock: Clock = time.monotonic) -> None:
        self.ttl = ttl
        self.max_items = max_items
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def put(self, key: K, value: V) -> None:
        self._items[key] = (self._clock() + self.ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def get(self, key: K) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if self._clock() >= expires:
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return value

    def pop(self, key: K) -> V | None:
        value = self.get(key)
        self._items.pop(key, None)
        return value

    def drop_where(self, predicate: Callable[[K], bool]) -> None:
        """Forget every entry whose key matches (e.g. all of one chat after /forget)."""
        for key in [key for key in self._items if predicate(key)]:
            del self._items[key]

    def __len__(self) -> int:
        return len(self._items)
