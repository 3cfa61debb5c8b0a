"""A short-lived cache of read answers, so the several regions of one page view (and a quick
reload) cost one upstream call each. Any write through the same client drops it all: a page
must never show the state from before a change it just made.

The store is pluggable; the Django app puts it on Django's cache so processes share it::

    class Store(Protocol):
        def get(self, key: str) -> Any | None: ...
        def set(self, key: str, value: Any, ttl: float) -> None: ...
        def clear(self) -> None: ...
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol


class Store(Protocol):
    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any, ttl: float) -> None: ...

    def clear(self) -> None: ...


@dataclass(frozen=True)
class Hit:
    """A cached answer (wrapped, so an answer of ``None`` is not mistaken for a miss)."""

    data: Any


class MemoryStore:
    """A thread-safe in-process store: the default."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._items: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            expires, value = item
            if self._clock() >= expires:
                del self._items[key]
                return None
            return value

    def set(self, key: str, value: Any, ttl: float) -> None:
        with self._lock:
            self._items[key] = (self._clock() + ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class ReadCache:
    def __init__(self, store: Store | None = None, ttl: float = 5.0) -> None:
        self.store: Store = store if store is not None else MemoryStore()
        self.ttl = ttl

    def get(self, key: str) -> Hit | None:
        value = self.store.get(key)
        return value if isinstance(value, Hit) else None

    def set(self, key: str, data: Any) -> None:
        self.store.set(key, Hit(data), self.ttl)

    def invalidate(self) -> None:
        self.store.clear()
