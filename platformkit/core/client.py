"""The Management API client every section uses, built from ``PLATFORMKIT`` settings, with
its read cache on Django's cache; and ``parallel`` for pages that make several calls."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections as db_connections

from platformkit.api import ManagementClient, Pacer, ReadCache, Result
from platformkit.conf import API_TOKEN_HINT, SetupMissing, get_config
from platformkit.core.pacing import new_pacer
from platformkit.core.read_cache import DjangoCacheStore, pinned

__all__ = ["DjangoCacheStore", "TokenMissing", "forget_cached_reads", "get_client", "parallel", "reset_client"]


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

    The calls read the cache under one generation, read here (``core.read_cache.pinned``). The
    read cache may live in the database (Django's ``DatabaseCache``), so a pool thread opens its
    own connection; it is closed when that thread's call ends rather than left to linger after
    the thread is gone.
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

    return get_client().parallel(*(closing(call) for call in pinned(calls)))


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
