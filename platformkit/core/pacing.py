"""Rate-limit figures shared by every process of a deployment, through Django's cache.

The client's :class:`~platformkit.api.Pacer` knows what the API said is left per scope and what
its own process sent since; behind a load balancer the other site processes and the workers
spend the same budget without it knowing. :class:`SharedPacer` keeps each scope's window in the
cache too (what is left, when it ends, on the wall clock), takes one request of it per call
(``cache.decr``, atomic on Redis), and lowers it to what each answer says is left. A process
that saw a 429, or spent the budget, makes the others wait for the window's end instead of
drawing 429s of their own. Before anything is shared it is the plain pacer.

Only over Redis: pacing writes from the page's pool threads (``client.parallel``), and on the
DatabaseCache a write to a row the request thread's open transaction already wrote would wait
for that thread, which waits for the pool; memcached's ``decr`` stops at 0, so a spent budget
would never read as spent (found in review). The keys name the token (a hash), so two tokens
on one Redis keep their own budgets.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache

from platformkit.api import Pacer
from platformkit.api.pacing import FIRST_ANSWER_POLL
from platformkit.api.types import RateLimitState

__all__ = ["SharedPacer", "new_pacer", "shares_pacing"]

SHARED_CACHES = ("django.core.cache.backends.redis.RedisCache",)
_NEW_WINDOW_SLACK = 1.0  # as the plain pacer's: a Reset this much later is the server's next window


def shares_pacing() -> bool:
    return str(settings.CACHES.get("default", {}).get("BACKEND", "")) in SHARED_CACHES


def new_pacer(token: str = "") -> Pacer:
    """The pacer for one token: shared through the cache when the cache allows it. The budget is
    the token's (the API counts per token and scope), whichever URL reaches the API: site
    processes behind different proxies spend one budget."""
    if not shares_pacing():
        return Pacer()
    owner = hashlib.sha256(token.encode()).hexdigest()[:16]
    return SharedPacer(f"platformkit:pacing:{owner}")


class SharedPacer(Pacer):
    def __init__(self, prefix: str = "platformkit:pacing") -> None:
        super().__init__()
        self._prefix = prefix

    def _keys(self, scope: str) -> tuple[str, str]:
        return f"{self._prefix}:{scope}:left", f"{self._prefix}:{scope}:ends"

    def reserve(self, scope: str, now: float) -> float:
        left_key, ends_key = self._keys(scope)
        ends = cache.get(ends_key)
        wall = time.time()
        if ends is not None and wall < ends:
            try:
                left = cache.decr(left_key)
            except ValueError:  # the count expired between the two reads: as if nothing were shared
                left = None
            if left is not None:
                return 0.0 if left >= 0 else max(FIRST_ANSWER_POLL, ends - wall)
        return super().reserve(scope, now)

    def note(self, scope: str, state: RateLimitState | None, now: float) -> None:
        super().note(scope, state, now)
        if state is None or state.remaining is None or state.reset_seconds is None:
            return
        left_key, ends_key = self._keys(scope)
        ends = time.time() + float(state.reset_seconds)
        ttl = math.ceil(float(state.reset_seconds)) + 1
        held_ends, held_left = cache.get(ends_key), cache.get(left_key)
        if held_ends is None or held_left is None or ends > held_ends + _NEW_WINDOW_SLACK:
            cache.set_many({left_key: int(state.remaining), ends_key: ends}, ttl)
            return
        # Within one window the lower count wins: the answer does not know of calls sent after it.
        cache.set_many({left_key: min(int(held_left), int(state.remaining)), ends_key: ends}, ttl)

    def refused(self, scope: str, retry_after: float, now: float) -> None:
        super().refused(scope, retry_after, now)
        left_key, ends_key = self._keys(scope)
        cache.set_many({left_key: 0, ends_key: time.time() + retry_after}, math.ceil(retry_after) + 1)
