"""W005/W006: workers on a network broker (several processes, several machines) with a cache
each process keeps for itself, or with Django's tables in SQLite."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks

from tests.dashboard.test_checks import GOOD_Q, good, platformkit_ids  # noqa: F401 (fixture)

REDIS_Q = {key: value for key, value in GOOD_Q.items() if key != "orm"} | {"redis": "redis://127.0.0.1:6379/0"}
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x/1"}}


def test_shared_cache_and_postgres_pass(good: Any) -> None:  # noqa: F811
    good.Q_CLUSTER, good.CACHES = REDIS_Q, REDIS_CACHE
    assert platformkit_ids() == []


def test_per_process_cache_with_a_network_broker(good: Any) -> None:  # noqa: F811
    good.Q_CLUSTER, good.CACHES = REDIS_Q, LOCMEM
    [message] = [m for m in run_checks() if m.id == "platformkit.W005"]
    assert "LocMemCache" in message.msg and "RedisCache" in message.hint


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_sqlite_with_a_network_broker(good: Any) -> None:  # noqa: F811
    good.Q_CLUSTER, good.CACHES = REDIS_Q, REDIS_CACHE
    sqlite = {**good.DATABASES["default"], "ENGINE": "django.db.backends.sqlite3"}
    good.DATABASES = {**good.DATABASES, "default": sqlite}
    [message] = [m for m in run_checks(databases=[]) if m.id == "platformkit.W006"]
    assert "SQLite" in message.msg and "DATABASE_URL" in message.hint


@pytest.mark.parametrize("cache", [LOCMEM, REDIS_CACHE])
def test_one_machine_on_the_orm_broker_is_not_warned(good: Any, cache: dict) -> None:  # noqa: F811
    good.CACHES = cache
    assert "platformkit.W005" not in platformkit_ids()
