"""The settings pages' upstream read as a lazy panel (:mod:`platformkit.core.panels`): the page
(title, tabs, navigation) is sent at once; the part that needs the Management API is rendered
in place when it answered within ``PANEL_WAIT``, else sent as a loading placeholder that fetches
itself (the same URL by HTMX, answered with the panel alone), bounded by ``PANEL_TIMEOUT`` and
ending in the error panel with a Try again button. Pages answering a POST (a review that
failed) read synchronously: their panel must not fetch a POST's URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from platformkit.core import panels, upstream

PANEL_ID = "pk-settings-panel"
PARTIAL = "settings-panel"


def panel(request: HttpRequest, read: Callable[[Any], Any], *, what: str) -> dict[str, Any]:
    """``read(client)`` for the page's panel: its context (``value``, ``problem``, loading state).

    Past the read cache: a settings page is where a change was just made, and the panel's call
    runs on a pool thread with its own database connection; on Django's database cache that
    thread would wait for a cache row an open transaction of the request wrote (ATOMIC_REQUESTS,
    or a test's transaction), so the page would show its loading state for what it just read."""
    call = lambda: read(panels.panel_client(cached=False))  # noqa: E731 (the client is made where the call runs)
    if request.method != "GET":
        found: upstream.Outcome[Any] | None = upstream.attempt(call)
    else:
        found = panels.gather({"panel": call}, wait=not getattr(request, "htmx", False))["panel"]
    return {
        "value": found.value if found is not None else None,
        "problem": found.problem if found is not None else None,
        "panel_loading": found is None,
        "panel_url": request.get_full_path(),
        "panel_target": f"#{PANEL_ID}",
        "panel_what": what,
    }
