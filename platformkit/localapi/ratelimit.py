"""The Management API's documented rate limits, enforced per caller and scope.

What the real API documents (docs "Rate limits", research ``anchors-2026-12.md`` §5.2):

- 120 requests a minute per caller **per scope**, the scope being the project or the
  organization the path names: 120 calls to project A and 120 to project B in the same minute
  do not collide. Routes that name neither (``/v1/projects``, ``/v1/organizations``, regions,
  snippets) share the caller's account-wide scope.
- 30 a minute for the logs and usage endpoints (everything under
  ``/v1/projects/{ref}/analytics/endpoints/``: ``logs``, ``logs.all``, ``usage.*``), a budget
  of their own beside the project's 120.
- The caller is the token (the user behind a PAT); without a valid token, the client address.
- Every answer carries ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and
  ``X-RateLimit-Reset`` (seconds until the window ends); over the limit every further call is
  a 429 with ``Retry-After`` for the rest of the window (a fixed window: refused calls do not
  extend it).

A branch is a project of its own: ``/v1/branches/{ref}`` counts on that ref's scope; a branch
named by its UUID counts on a scope of that id (resolving it would cost a database read per call
before the limit is even checked, and the documents do not say the real API does).
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .config import LocalAPIConfig

LOGS_PATH = re.compile(r"^/v1/projects/[^/]+/analytics/endpoints/")
PROJECT_REF = re.compile(r"^[a-z]{20}$")
_NAMED_SCOPE = re.compile(
    r"^/v1/(?:projects/(?P<ref>[a-z]{20})|organizations/(?P<slug>[^/]+)|branches/(?P<branch_id_or_ref>[^/]+))(?:/|$)"
)
_PRUNE_AT = 10_000  # keys kept before expired windows are swept
_MOST_KEYS = 50_000  # beyond this (a token naming made-up refs), the oldest windows are dropped


@dataclass(frozen=True)
class Budget:
    limit: int  # requests admitted per window
    window_seconds: float


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # whole seconds until the window ends, rounded up (at least 1)

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


def scope_of(path_kwargs: Mapping[str, Any], path: str = "") -> str:
    """The scope a route's path names: its project, its organization, or the account. A path no
    route matched (answered 404) still counts on the project or organization it names."""
    if not path_kwargs and (named := _NAMED_SCOPE.match(path)):
        path_kwargs = {key: value for key, value in named.groupdict().items() if value}
    if "ref" in path_kwargs:
        return f"project:{path_kwargs['ref']}"
    if "slug" in path_kwargs:
        return f"organization:{path_kwargs['slug']}"
    branch = path_kwargs.get("branch_id_or_ref")
    if branch is not None:
        return f"project:{branch}" if PROJECT_REF.match(str(branch)) else f"branch:{branch}"
    return "account"


def budget_name(path: str) -> str:
    return "logs" if LOGS_PATH.match(path) else "standard"


class RateLimiter:
    """Fixed windows per (caller, scope, budget), safe to share between the serving threads."""

    def __init__(self, budgets: Mapping[str, Budget], clock: Callable[[], float] = time.monotonic) -> None:
        self.budgets = dict(budgets)
        self._clock = clock
        self._windows: dict[tuple[str, str, str], list[float]] = {}  # key -> [started, count]
        self._lock = threading.Lock()
        self._next_prune = _PRUNE_AT

    def take(self, caller: str, scope: str, budget: str) -> Decision:
        """Count one request; whether it is admitted, and the headers' figures after it."""
        rule = self.budgets[budget]
        key = (caller, scope, budget)
        with self._lock:
            now = self._clock()
            window = self._windows.get(key)
            if window is None or now >= window[0] + rule.window_seconds:
                # Sweep when the table has grown by half since the last sweep, not at every new
                # key past a fixed size (that made each new key cost a full pass).
                if len(self._windows) >= self._next_prune:
                    self._prune(now)
                    self._next_prune = max(_PRUNE_AT, len(self._windows) * 3 // 2)
                self._windows.pop(key, None)
                window = self._windows[key] = [now, 0]
            allowed = window[1] < rule.limit
            if allowed:
                window[1] += 1
            remaining = max(0, rule.limit - int(window[1]))
            reset = max(1, math.ceil(window[0] + rule.window_seconds - now))
        return Decision(allowed, rule.limit, remaining, reset)

    def _prune(self, now: float) -> None:
        for key, (started, _) in list(self._windows.items()):
            if now >= started + self.budgets[key[2]].window_seconds:
                del self._windows[key]
        # Still full of live windows: forget the oldest (dicts keep insertion order, and a key
        # is re-inserted when its window starts), so memory and the sweep's cost stay bounded.
        excess = len(self._windows) - _MOST_KEYS
        for key in list(self._windows)[: max(0, excess)]:
            del self._windows[key]


def caller_of(token: str | None, remote_addr: str) -> str:
    """Who is counted: the token (hashed, so the table holds no secret), else the address."""
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:24]
    return f"ip:{remote_addr}"


def limiter_from(config: LocalAPIConfig) -> RateLimiter:
    window = config.rate_limit_window_seconds
    return RateLimiter(
        {
            "standard": Budget(config.rate_limit_per_window, window),
            "logs": Budget(config.rate_limit_logs_per_window, window),
        }
    )


_limiters: weakref.WeakKeyDictionary[Any, RateLimiter] = weakref.WeakKeyDictionary()
_limiters_lock = threading.Lock()


def limiter_for(api: Any) -> RateLimiter:
    """The one limiter of a local API instance (made on its first request)."""
    with _limiters_lock:
        limiter = _limiters.get(api)
        if limiter is None:
            limiter = _limiters[api] = limiter_from(api.config)
        return limiter
