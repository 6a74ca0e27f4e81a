"""Values read on demand and kept for a while, per key, shared by a process's threads.

For what every request would otherwise read again from the database (the event types the
agreements use, an agreement page's unused names): a value is read once per `max_age` seconds
and key, by one thread at a time, and entries past their age are dropped at the next read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Expiring(Generic[K, V]):
    """Keep what a key's `read` returned during `max_age` seconds of `clock`."""

    def __init__(self, *, max_age: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age = max_age
        self.clock = clock
        self._lock = threading.Lock()
        self._kept: dict[K, tuple[float, V]] = {}

    def get(self, key: K, read: Callable[[], V]) -> V:
        """Return the key's kept value, or what `read` returns now if there is none so young."""
        with self._lock:
            now = self.clock()
            kept = self._kept.get(key)
            if kept is not None and now - kept[0] < self.max_age:
                return kept[1]
            value = read()
            self._kept = {k: v for k, v in self._kept.items() if now - v[0] < self.max_age}
            self._kept[key] = (now, value)
            return value

    def peek(self, key: K) -> V | None:
        """Return the key's kept value if it is young enough, without reading it."""
        with self._lock:
            kept = self._kept.get(key)
            return kept[1] if kept is not None and self.clock() - kept[0] < self.max_age else None

    def forget(self) -> None:
        """Read every key again on its next use (what they are read from has changed)."""
        with self._lock:
            self._kept.clear()
