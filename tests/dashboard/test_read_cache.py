"""The read cache under many viewers (``platformkit.core.read_cache``): one upstream call per
expiry however many read at once, never an answer from before a change, and pages that cost no
call when viewed again within ``READ_CACHE_SECONDS`` (a hundred operators on one project spent
its 120-a-minute budget: pages showed "rate limited")."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from platformkit.core.client import DjangoCacheStore, forget_cached_reads, get_client
from tests.dashboard.test_branches_migrations import _create_branch
from tests.dashboard.test_sql_editor import _active

LATENCY = 1.0  # seconds the slow API takes per request: readers overlap a refresh for sure


class _Calls(logging.Handler):
    """The client's upstream requests (log records naming an attempt), by path."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.paths: list[str] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if hasattr(record, "api_attempt"):
            with self._lock:
                self.paths.append(record.api_path)  # type: ignore[attr-defined]

    def to(self, suffix: str) -> int:
        with self._lock:
            return sum(path.endswith(suffix) for path in self.paths)


@pytest.fixture
def calls() -> Iterator[_Calls]:
    handler, logger = _Calls(), logging.getLogger("platformkit.api")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(previous)


@pytest.fixture
def slow_api(limited_localapi: Any, settings: Any) -> Any:
    """The site on a second local API over the suite's records, LATENCY per request, a read
    cache of 3 s (fresh for 3 s, kept stale 3 s more: room for a starved machine's readers)."""
    server = limited_localapi(standard=100_000, logs=100_000, latency=LATENCY)
    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "API_URL": server.base_url,
        "API_TOKEN": server.config.token,
        "READ_CACHE_SECONDS": 3,
    }
    return server


# Tests with readers on several threads commit as they go, as a site does: the cache is
# Django's database cache, and a page's pool threads write its rows on connections of their own
# (in a test's transaction the test's own writes would hold those rows until it ends).
@pytest.mark.django_db(transaction=True)
def test_a_stale_read_is_refreshed_by_one_reader_while_the_others_keep_it(
    api: Any, make_project: Any, slow_api: Any, calls: _Calls
) -> None:
    ref = make_project("Many viewers").ref
    client = get_client()
    assert client.projects.get(ref).name == "Many viewers"
    assert calls.to(f"/projects/{ref}") == 1
    time.sleep(3.2)  # stale now (fresh for 3 s, kept 6 s)

    start = threading.Barrier(8)

    def read() -> tuple[str, float]:
        start.wait()
        began = time.monotonic()
        return client.projects.get(ref).name, time.monotonic() - began

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: read(), range(8)))
    assert [name for name, _ in answers] == ["Many viewers"] * 8
    # One of them went upstream; the seven others were given the previous answer at once.
    assert calls.to(f"/projects/{ref}") == 2
    assert sorted(seconds for _, seconds in answers)[6] < LATENCY
    client.projects.get(ref)  # the refreshed answer, fresh again
    assert calls.to(f"/projects/{ref}") == 2


def test_an_answer_asked_for_before_a_change_is_not_served_after_it() -> None:
    # The client's order: the store is asked, the API answers, the answer is stored. A change
    # the dashboard makes in between (its forget_cached_reads) must win over that answer.
    store = DjangoCacheStore()
    assert store.get("GET /v1/projects/ref") is None
    forget_cached_reads()
    store.set("GET /v1/projects/ref", {"name": "from before the change"}, 30)
    assert store.get("GET /v1/projects/ref") is None
    store.set("GET /v1/projects/ref", {"name": "after"}, 30)
    assert store.get("GET /v1/projects/ref") == {"name": "after"}


@pytest.mark.django_db(transaction=True)
def test_pages_show_a_change_at_once_even_with_this_process_holding_a_copy(
    operator_client: Client, api: Any, make_project: Any, upstream: Any, settings: Any
) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "READ_CACHE_SECONDS": 60}
    ref = make_project("First name").ref
    overview = reverse("platformkit:project", args=[ref])
    assert "First name" in operator_client.get(overview).content.decode()
    upstream.projects.update(ref, name="Second name")
    assert "First name" in operator_client.get(overview).content.decode()  # within the minute: cached
    forget_cached_reads()  # what every change made through the dashboard does
    assert "Second name" in operator_client.get(overview).content.decode()
    upstream.projects.update(ref, name="Third name")
    cache.clear()  # a cleared cache forgets the generation, not this process's copies
    assert "Third name" in operator_client.get(overview).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_branches_page_is_read_once_per_expiry_and_shows_a_change_at_once(
    operator_client: Client, api: Any, make_project: Any, upstream: Any, settings: Any, calls: _Calls
) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "READ_CACHE_SECONDS": 60}
    ref = _active(upstream, make_project)
    dev = _create_branch(operator_client, ref, "temp")
    page = reverse("platformkit:branches", args=[ref])
    assert 'data-branch="temp"' in operator_client.get(page).content.decode()
    before = calls.to(f"/projects/{ref}/branches")
    for _ in range(3):
        operator_client.get(page)
    assert calls.to(f"/projects/{ref}/branches") == before  # the list and the switcher: from the cache

    delete = reverse("platformkit:branches-delete", args=[ref, dev])
    assert operator_client.post(delete, {"confirm_name": "temp", "when": "scheduled"}).status_code == 302
    assert "data-deletion-scheduled" in operator_client.get(page).content.decode()
    operator_client.post(reverse("platformkit:branches-restore", args=[ref, dev]))
    assert "data-deletion-scheduled" not in operator_client.get(page).content.decode()
