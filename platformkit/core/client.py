"""The Management API client every section uses, built from ``PLATFORMKIT`` settings, with
its read cache on Django's cache; and ``parallel`` for pages that make several calls."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any

from django.core.cache import cache as django_cache
from django.db import connections as db_connections

from platformkit.api import ManagementClient, Pacer, ReadCache, Result
from platformkit.conf import API_TOKEN_HINT, SetupMissing, get_config
from platformkit.core.pacing import new_pacer


class DjangoCacheStore:
    """The client's read-cache store on Django's default cache, so reads are shared by every
    process (and machine, with a shared cache) serving the same page views.

    Keys are namespaced by a generation number; :meth:`clear` bumps it, which drops every cached
    read at once without a backend-specific "delete by prefix". Only :meth:`clear` writes the
    generation: ``client.parallel`` calls ``get``/``set`` from pool threads with their own
    database connections, and a write racing the request thread's open transaction on the same
    cache row would wait for it forever (the request thread is waiting for the pool).
    """

    _GENERATION_KEY = "platformkit:api-cache:generation"

    def _key(self, key: str) -> str:
        generation = django_cache.get(self._GENERATION_KEY) or 0
        # Hashed: the client's keys hold paths and JSON, which memcached refuses.
        return f"platformkit:api-cache:{generation}:{hashlib.sha256(key.encode()).hexdigest()}"

    def get(self, key: str) -> Any:
        return django_cache.get(self._key(key))

    def set(self, key: str, value: Any, ttl: float) -> None:
        django_cache.set(self._key(key), value, max(1, round(ttl)))

    def clear(self) -> None:
        try:
            django_cache.incr(self._GENERATION_KEY)
        except ValueError:  # never cleared before (or evicted): start counting
            django_cache.set(self._GENERATION_KEY, 1, None)


class TokenMissing(SetupMissing, ValueError):  # a ValueError, as the client's own refusal was
    """``PLATFORMKIT["API_TOKEN"]`` is empty: the dashboard answers its set-up page (503)."""

    def __init__(self) -> None:
        super().__init__('PLATFORMKIT["API_TOKEN"]', API_TOKEN_HINT, "platformkit.E001")


_clients: dict[tuple[Any, ...], ManagementClient] = {}
# One pacer per API and token: the cached and uncached clients (and the tasks' time-boxed ones)
# spend the same rate-limit budgets, so they must count together.
_pacers: dict[tuple[str, str], Pacer] = {}
_clients_lock = threading.Lock()


def get_client(*, cached: bool = True, max_call_seconds: float | None = None) -> ManagementClient:
    """A client configured from ``PLATFORMKIT``, reused per process (it pools connections).

    ``cached=False`` skips the read cache: a task waiting for a change must see fresh answers.
    ``max_call_seconds`` bounds one call with all its retries (a task run has a time budget).
    A settings change yields a new client, since the settings are part of the reuse key.
    """
    config = get_config()
    if not config["API_TOKEN"]:
        raise TokenMissing
    ttl = float(config["READ_CACHE_SECONDS"]) if cached else 0.0
    limit = max_call_seconds or float("inf")
    timeout, retry_deadline = min(float(config["REQUEST_TIMEOUT"]), limit), min(float(config["RETRY_DEADLINE"]), limit)
    key = (config["API_URL"], config["API_TOKEN"], timeout, config["MAX_RETRIES"], retry_deadline, ttl)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = ManagementClient(
                config["API_TOKEN"],
                base_url=config["API_URL"],
                timeout=timeout,
                max_retries=config["MAX_RETRIES"],
                retry_deadline=retry_deadline,
                cache=ReadCache(store=DjangoCacheStore(), ttl=ttl) if ttl > 0 else None,
                pacer=_pacer(config["API_URL"], config["API_TOKEN"]),
            )
            _clients[key] = client
    return client


def _pacer(api_url: str, token: str) -> Pacer:
    pacer = _pacers.get((api_url, token))
    if pacer is None:
        pacer = _pacers[(api_url, token)] = new_pacer(token)  # shared by all processes where the cache allows
    return pacer


def parallel(*calls: Callable[[], Any]) -> list[Result[Any]]:
    """``client.parallel(*calls)``: the page costs its slowest call, not the sum.

    The read cache may live in the database (Django's ``DatabaseCache``), so a pool thread
    opens its own connection; it is closed when that thread's call ends rather than left to
    linger after the thread is gone.
    """
    caller = threading.get_ident()

    def closing(call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            try:
                return call()
            finally:
                if threading.get_ident() != caller:
                    db_connections.close_all()

        return run

    return get_client().parallel(*(closing(call) for call in calls))


def reset_client() -> None:
    """Close and forget every client (tests and benchmarks that swap the API under us)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
        _pacers.clear()


def forget_cached_reads() -> None:
    """After a change upstream, the next page view must not show the answer from before it."""
    DjangoCacheStore().clear()
