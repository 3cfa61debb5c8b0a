"""Rate-limit figures shared through Django's cache (``platformkit.core.pacing``): two pacers
stand for two processes of one deployment; what one learnt from the API holds the other back."""

from __future__ import annotations

from typing import Any

import pytest

from platformkit.api import Pacer
from platformkit.api.types import RateLimitState
from platformkit.core.pacing import SharedPacer, new_pacer

SCOPE = "project:abcdefghijabcdefghij"


@pytest.fixture
def two_processes(db: None) -> tuple[SharedPacer, SharedPacer]:
    from django.core.cache import cache

    cache.clear()
    return SharedPacer(), SharedPacer()


def test_a_spent_budget_holds_the_other_process_back(two_processes: tuple[SharedPacer, SharedPacer]) -> None:
    first, second = two_processes
    assert first.reserve(SCOPE, 0.0) == 0.0
    first.note(SCOPE, RateLimitState(limit=120, remaining=2, reset_seconds=30), 0.1)
    # The second process has sent nothing yet: it spends what the first was told is left, then waits.
    assert second.reserve(SCOPE, 0.0) == 0.0
    assert first.reserve(SCOPE, 0.2) == 0.0
    wait = second.reserve(SCOPE, 0.3)
    assert 25 < wait <= 30


def test_an_answer_lowers_the_shared_count(two_processes: tuple[SharedPacer, SharedPacer]) -> None:
    first, second = two_processes
    first.note(SCOPE, RateLimitState(limit=120, remaining=50, reset_seconds=30), 0.0)
    second.note(SCOPE, RateLimitState(limit=120, remaining=0, reset_seconds=29.5), 0.0)
    assert first.reserve(SCOPE, 0.0) > 25


def test_a_429_makes_every_process_wait(two_processes: tuple[SharedPacer, SharedPacer]) -> None:
    first, second = two_processes
    first.refused(SCOPE, 7.0, 0.0)
    assert 5 < second.reserve(SCOPE, 0.0) <= 7
    assert second.reserve("project:otherotherotherother", 0.0) == 0.0  # other scopes are untouched


def test_shared_only_over_a_cache_without_row_locks(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert isinstance(new_pacer(), SharedPacer)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"}}
    pacer = new_pacer()
    assert isinstance(pacer, Pacer) and not isinstance(pacer, SharedPacer)
    # memcached's decr stops at 0: a spent budget would never read as spent (review).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": "x"}}
    assert not isinstance(new_pacer(), SharedPacer)


def test_two_tokens_on_one_cache_keep_their_own_budgets(db: None, settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    one, other, again = new_pacer("token-a"), new_pacer("token-b"), new_pacer("token-a")
    assert isinstance(one, SharedPacer) and isinstance(other, SharedPacer) and isinstance(again, SharedPacer)
    assert one._keys(SCOPE) != other._keys(SCOPE) and again._keys(SCOPE) == one._keys(SCOPE)
