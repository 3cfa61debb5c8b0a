"""The Management API client's read cache on Django's cache: answers shared by every process
(and machine, with a shared cache) serving the same page views, refreshed once per expiry
however many operators are looking, and dropped all at once by any change.

**Generations.** Every entry is tagged with the generation it was read under; a clear draws a
new generation, which drops every cached read at once without a backend-specific "delete by
prefix". The tag is the generation seen when the read *started* (remembered per thread
between :meth:`DjangoCacheStore.get` and :meth:`DjangoCacheStore.set`): an answer fetched before
a change and stored after the change's :meth:`~DjangoCacheStore.clear` is not taken for a fresh
one.

**One refresh per expiry, not one per viewer.** For ``ttl`` seconds an answer is fresh; for
another ``ttl`` it is *stale*: the first caller to see it stale takes a short lock (``cache.add``,
atomic across processes) and goes upstream, the others are given the stale answer meanwhile. So
a hundred operators on one project's pages cost the API one call per read per ``ttl``, like one
operator, instead of a burst at every expiry from every worker (measured: the project's
120-a-minute budget spent and pages showing "rate limited" under 100 operators). A change made
through the dashboard still shows on the next page: its clear makes every entry a miss.

**This process's copies.** A page's calls run under the generation read once when the page asks
for them (:func:`pinned`: one round trip for all of them); an answer this process already holds
for that generation, still fresh, is used without asking the shared cache at all (on the
database cache, a query and a pooled connection per read, from a pool thread). A change is still
seen by the next page everywhere: the next page reads the new generation, and no copy of an
older one matches it.

Only :meth:`~DjangoCacheStore.clear` writes the generation: ``client.parallel`` calls
``get``/``set`` from pool threads with their own database connections, and a write racing the
request thread's open transaction on the same cache row would wait for it forever (the request
thread is waiting for the pool). The refresh locks are rows of their own, never written by a
request thread.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any, NamedTuple, TypeVar

from django.core.cache import cache as django_cache

__all__ = ["DjangoCacheStore", "pinned"]

T = TypeVar("T")
GENERATION_KEY = "platformkit:api-cache:generation"
LOCAL_ENTRIES = 512  # this process's copies (a few per project page; the oldest go first)

_pinned: ContextVar[int | None] = ContextVar("platformkit_read_cache_generation", default=None)


class _Entry(NamedTuple):
    generation: int
    fresh_until: float  # wall clock: entries are shared between processes and machines
    ttl: float
    value: Any


def _generation(found: Any) -> int:
    return int(found or 0)  # 0: none in the cache (never changed, culled, or the cache cleared)


def _new_generation() -> int:
    # Random, never counted up: a cleared cache forgets the generation but not the processes'
    # copies, and a clear rolled back with its transaction takes the generation back to the one
    # before; a count would come to numbers copies may still carry.
    return secrets.randbits(62) + 1


def pinned(calls: Iterable[Callable[[], T]], *, start: bool = True) -> list[Callable[[], T]]:
    """``calls``, each to run (in any thread) under the generation read now, once for all.

    ``start``: with no generation in the cache yet, write the first (this process's copies are
    used only under one). Never from a pool thread: a request thread may hold a write of the
    same row in an open transaction while it waits for that pool (see the module's notes).
    """
    generation = _generation(django_cache.get(GENERATION_KEY))
    if not generation and start:
        django_cache.add(GENERATION_KEY, _new_generation(), None)
        generation = _generation(django_cache.get(GENERATION_KEY))

    def bind(call: Callable[[], T]) -> Callable[[], T]:
        def run() -> T:
            token = _pinned.set(generation)
            try:
                return call()
            finally:
                _pinned.reset(token)

        return run

    return [bind(call) for call in calls]


class _Local:
    """This process's copies of shared entries, pickled (a copy is never shared between two
    callers that might change what they were given)."""

    def __init__(self, size: int = LOCAL_ENTRIES) -> None:
        self._size = size
        self._items: OrderedDict[str, tuple[int, float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def fresh(self, stored: str, generation: int) -> Any:
        with self._lock:
            item = self._items.get(stored)
        if item is None or item[0] != generation or time.time() >= item[1]:
            return None
        return pickle.loads(item[2])

    def keep(self, stored: str, entry: _Entry) -> None:
        blob = pickle.dumps(entry.value, pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._items[stored] = (entry.generation, entry.fresh_until, blob)
            self._items.move_to_end(stored)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_local = _Local()  # one per process, whichever client (panel, task, page) filled it


class DjangoCacheStore:
    """The client's read-cache store (``platformkit.api.cache.Store``) on Django's default cache."""

    def __init__(self) -> None:
        self._seen = threading.local()  # key -> the generation its last get() read, per thread
        self._local = _local

    @staticmethod
    def _key(key: str) -> str:
        # Hashed: the client's keys hold paths and JSON, which memcached refuses.
        return f"platformkit:api-cache:{hashlib.sha256(key.encode()).hexdigest()}"

    def _generations(self) -> dict[str, int]:
        generations: dict[str, int] = self._seen.__dict__.setdefault("generations", {})
        return generations

    def get(self, key: str) -> Any:
        stored, lock = self._key(key), self._key(key) + ":refresh"
        generation = _pinned.get()
        if generation:
            self._generations()[key] = generation
            held = self._local.fresh(stored, generation)
            if held is not None:
                return held
            found = django_cache.get_many([stored, lock])
        else:
            found = django_cache.get_many([GENERATION_KEY, stored, lock])
            generation = _generation(found.get(GENERATION_KEY))
            self._generations()[key] = generation
        entry = found.get(stored)
        if not isinstance(entry, _Entry) or entry.generation != generation:
            return None  # never read, expired, or read before the last change
        if time.time() < entry.fresh_until:
            if generation:
                self._local.keep(stored, entry)
            return entry.value
        # Stale: one caller (in any process) refreshes it, the others keep the previous answer
        # until the new one lands. The lock names the answer it replaces and lasts ``ttl``, so
        # a refresh that failed is tried again by the next caller after that.
        if found.get(lock) == entry.fresh_until or not django_cache.add(
            lock, entry.fresh_until, max(1, math.ceil(entry.ttl))
        ):
            return entry.value
        return None

    def set(self, key: str, value: Any, ttl: float) -> None:
        generation = self._generations().pop(key, None)
        if generation is None:  # no get() first (the client always asks first): the current one
            generation = _generation(django_cache.get(GENERATION_KEY))
        entry = _Entry(generation, time.time() + ttl, ttl, value)
        # Kept twice as long as it is fresh: the second half serves it stale while one caller refreshes it.
        django_cache.set(self._key(key), entry, max(1, math.ceil(2 * ttl)))
        if generation:
            self._local.keep(self._key(key), entry)

    def clear(self) -> None:
        django_cache.set(GENERATION_KEY, _new_generation(), None)
