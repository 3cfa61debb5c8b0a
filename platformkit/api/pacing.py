"""Pacing: not sending what the Management API would refuse.

The API budgets requests per token and *scope* (the project or organization a path names, or
the account for routes that name neither; the logs and usage endpoints have a smaller budget of
their own) and says on every answer how many are left (``X-RateLimit-Remaining``) and when the
window ends (``X-RateLimit-Reset``). A :class:`Pacer` keeps those figures per scope and hands
out the remaining requests one at a time, counting calls still in flight, so concurrent calls of
one process never spend more than is left; once none are left a call waits for the window to end
instead of drawing a 429. Share one pacer between all clients of one token (the dashboard does).
"""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass

from .types import RateLimitState

_SCOPED = re.compile(r"^/v1/(projects|organizations|branches)/([^/]+)(/analytics/endpoints/)?")
_REF = re.compile(r"^[a-z]{20}$")
_NEW_WINDOW_SLACK = 1.0  # a Reset this much later than the one held means the server began a new window
FIRST_ANSWER_POLL = 0.02  # seconds between looks while the first call of a scope is out
UNPACED = sys.maxsize
UNPACED_SECONDS = 60.0  # an API that sent no figures is asked again (the first call first) after this


def scope_of(path: str) -> str:
    """The budget a call spends: ``project:<ref>``, ``organization:<slug>``, ``account``, with
    ``/logs`` appended for the analytics endpoints' budget."""
    found = _SCOPED.match(path)
    if found is None:
        return "account"
    kind, name, analytics = found.groups()
    if kind == "projects" and not _REF.match(name):
        return "account"  # /v1/projects/available-regions and the like
    if kind == "organizations":
        scope = f"organization:{name}"
    elif kind == "branches" and not _REF.match(name):
        scope = f"branch:{name}"
    else:
        scope = f"project:{name}"
    return scope + ("/logs" if analytics else "")


@dataclass
class _Window:
    remaining: int
    ends_at: float | None  # on the pacer's clock; None: no answer of this window yet
    limit: int | None = None


class Pacer:
    """What the API said is left per scope, less what this process has sent since.

    Before anything is known of a scope, one call goes first and the others wait for its answer
    (a few tens of milliseconds), so a burst of concurrent first calls cannot overrun a small
    budget. When a window ends the next is assumed full (the limit the API gave), until an answer
    says otherwise. An API that sends no rate-limit headers is not paced.
    """

    def __init__(self) -> None:
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def reserve(self, scope: str, now: float) -> float:
        """0.0: send now (one request of the budget is taken); otherwise seconds to wait before
        asking again."""
        with self._lock:
            window = self._windows.get(scope)
            if window is not None and window.ends_at is not None and now >= window.ends_at:
                if window.limit is None:
                    window = None
                else:
                    window.remaining, window.ends_at = window.limit, None
            if window is None:
                self._windows[scope] = _Window(0, None)  # this call goes first; its answer tells the rest
                return 0.0
            if window.remaining > 0:
                window.remaining -= 1
                return 0.0
            return FIRST_ANSWER_POLL if window.ends_at is None else window.ends_at - now

    def note(self, scope: str, state: RateLimitState | None, now: float) -> None:
        """An answer and its headers (``None``: it had none). Within one window the lower
        count wins: the answer does not know of calls sent after it, the pacer does not know of
        other processes' calls."""
        with self._lock:
            window = self._windows.get(scope)
            if state is None or state.remaining is None or state.reset_seconds is None:
                if window is None or window.ends_at is None:
                    self._windows[scope] = _Window(UNPACED, now + UNPACED_SECONDS)
                return
            ends_at = now + state.reset_seconds
            if window is None or (window.ends_at is not None and ends_at > window.ends_at + _NEW_WINDOW_SLACK):
                self._windows[scope] = _Window(state.remaining, ends_at, state.limit)
                return
            first_answer = window.ends_at is None and window.limit is None
            window.remaining = state.remaining if first_answer else min(window.remaining, state.remaining)
            window.ends_at = ends_at
            window.limit = state.limit if state.limit is not None else window.limit

    def failed(self, scope: str) -> None:
        """The call sent first got no answer: let the next one go first instead."""
        with self._lock:
            window = self._windows.get(scope)
            if window is not None and window.ends_at is None and window.limit is None:
                del self._windows[scope]

    def refused(self, scope: str, retry_after: float, now: float) -> None:
        """A 429: nothing is left in this scope until ``retry_after`` has passed."""
        with self._lock:
            window = self._windows.get(scope)
            self._windows[scope] = _Window(0, now + retry_after, window.limit if window is not None else None)
