"""Pages with slow upstream panels: the frame is sent at once, the slow panels fill themselves in.

A page asks for its panels' upstream calls together (:func:`gather`) and waits at most
``PANEL_WAIT`` seconds: panels whose calls answered by then are rendered in place; the others
are sent as a loading placeholder that fetches itself (``hx-trigger="load"``) while the call
goes on in the background and lands in the read cache, so the panel's own request usually finds
it there. A panel's request bounds its calls by ``PANEL_TIMEOUT`` (retries included): a hung API
ends in the timeout panel with a Retry button, never a page that hangs for a minute.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Any, TypeVar

from django.db import connections as db_connections

from platformkit.api import ManagementClient
from platformkit.conf import get_config
from platformkit.core import upstream
from platformkit.core.client import get_client
from platformkit.core.read_cache import pinned

T = TypeVar("T")
# Calls outlive the request that started them (until PANEL_TIMEOUT): a bounded pool, so a hung
# API cannot pile up threads; a full pool only means panels are sent loading.
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="platformkit-panel")
PENDING = None  # what gather() gives for a call still running: render the loading placeholder


def panel_client(*, cached: bool = True) -> ManagementClient:
    """The client a panel's calls use: each call, retries included, within ``PANEL_TIMEOUT``
    (``cached=False`` for a read that must be fresh)."""
    return get_client(cached=cached, max_call_seconds=float(get_config()["PANEL_TIMEOUT"]))


def _closing(call: Callable[[], T]) -> Callable[[], upstream.Outcome[T]]:
    def run() -> upstream.Outcome[T]:
        try:
            return upstream.attempt(call)
        finally:
            db_connections.close_all()  # the read cache may be Django's database cache

    return run


def gather(calls: Mapping[str, Callable[[], Any]], *, wait: bool = True) -> dict[str, upstream.Outcome[Any] | None]:
    """Run ``calls`` at once; each name's outcome, or :data:`PENDING` when it did not answer
    within ``PANEL_WAIT`` (``wait=False``, a panel's own request: wait for every call, each
    bounded by the panel client's time limit)."""
    # One read of the cache's generation for all of them (core.read_cache).
    inside_pool = threading.current_thread().name.startswith("platformkit-panel")
    calls = dict(zip(calls, pinned(calls.values(), start=not inside_pool), strict=True))
    if not wait:
        futures: dict[str, Future[upstream.Outcome[Any]]] = {
            name: _POOL.submit(_closing(call)) for name, call in calls.items()
        }
        return {name: future.result() for name, future in futures.items()}
    if inside_pool:
        return {name: upstream.attempt(call) for name, call in calls.items()}  # no pool inside the pool
    futures = {name: _POOL.submit(_closing(call)) for name, call in calls.items()}
    wait_for(futures.values(), timeout=float(get_config()["PANEL_WAIT"]))
    return {name: future.result() if future.done() else PENDING for name, future in futures.items()}
