"""A slow or hung Management API: the overview is sent at once with its panels loading (HTMX
fills them in), a panel whose call times out says so with a Retry button, and a paused or
resizing project shows that state rather than errors. The slowness is a local API answering
late (real HTTP, real records), never a mock."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.core.client import forget_cached_reads
from tests.dashboard.conftest import assert_valid_html, htmx_get
from tests.dashboard.test_sql_editor import _active


@pytest.fixture
def project_ref(api: Any, upstream: Any, make_project: Any) -> str:
    return _active(upstream, make_project)


@pytest.fixture
def slow(limited_localapi: Any, settings: Any) -> Any:
    """Point the site at a second local API over the same records answering ``latency`` late."""

    def point(latency: float, *, wait: float = 0.3, timeout: float = 8.0) -> Any:
        server = limited_localapi(standard=1_000_000, logs=1_000_000, latency=latency)
        settings.PLATFORMKIT = {
            **settings.PLATFORMKIT,
            "API_URL": server.base_url,
            "API_TOKEN": server.config.token,
            "PANEL_WAIT": wait,
            "PANEL_TIMEOUT": timeout,
        }
        return server

    return point


def test_a_slow_overview_is_sent_at_once_and_its_panels_fill_in(
    operator_client: Client, project_ref: str, slow: Any
) -> None:
    slow(1.5)
    url = reverse("platformkit:project", args=[project_ref])
    started = time.monotonic()
    page = operator_client.get(url)
    took = time.monotonic() - started
    html = page.content.decode()
    assert page.status_code == 200
    assert_valid_html(html)
    # The frame at once: the panels are a loading state that fetches itself.
    assert took < 1.5, f"the page waited {took:.1f} s for a 1.5 s API"
    loading = html.split("data-panel-loading")[0].rsplit("<div", 1)[1]
    assert f'hx-get="{url}"' in loading and 'hx-trigger="load"' in loading
    assert "Loading the project's status and health" in html and '<h2 class="pk-card__title" id="pk-health' not in html

    panel = htmx_get(operator_client, url).content.decode()
    assert_valid_html(panel, fragment=True)
    assert "data-panel-loading" not in panel
    assert "Service health" in panel and "active healthy" in panel


def test_a_hung_api_is_cut_off_with_a_retry_button(operator_client: Client, project_ref: str, slow: Any) -> None:
    slow(4.0, timeout=1.0)
    url = reverse("platformkit:project", args=[project_ref])
    started = time.monotonic()
    panel = htmx_get(operator_client, url).content.decode()
    took = time.monotonic() - started
    assert took < 3.0, f"the panel hung for {took:.1f} s"
    assert_valid_html(panel, fragment=True)
    assert 'data-upstream-error="timeout"' in panel and "The Management API is slow" in panel
    retry = panel.split(">Try again</a>")[0].rsplit("<a", 1)[1]
    assert f'hx-get="{url}"' in retry and 'hx-target="#pk-project-overview"' in retry


def test_a_paused_project_says_paused_not_errors(operator_client: Client, project_ref: str, upstream: Any) -> None:
    upstream.projects.pause(project_ref)
    deadline = time.monotonic() + 20
    while upstream.projects.get(project_ref).status != "INACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    overview = operator_client.get(reverse("platformkit:project", args=[project_ref])).content.decode()
    assert_valid_html(overview)
    health = overview.split('id="pk-health-title"')[1].split("</section>")[0]
    assert 'data-project-state="paused"' in health and "refuses connections until it is restored" in health
    assert "data-upstream-error" not in health
    assert "Restore project</button>" in overview
    # Every project page's banner says so: the SQL editor's refused connections are explained.
    sql = operator_client.get(reverse("platformkit:sql", args=[project_ref])).content.decode()
    banner = sql.split("data-target-banner")[1].split("</div>")[0]
    assert 'data-project-state="paused"' in banner and "paused" in banner


def test_a_resizing_project_shows_resizing_not_red_services(
    operator_client: Client, project_ref: str, api: Any
) -> None:
    api.api.store.set_status(project_ref, "RESIZING", then="ACTIVE_HEALTHY", after_seconds=60)
    try:
        overview = operator_client.get(reverse("platformkit:project", args=[project_ref])).content.decode()
    finally:
        api.api.store.set_status(project_ref, "ACTIVE_HEALTHY")
    assert_valid_html(overview)
    health = overview.split('id="pk-health-title"')[1].split("</section>")[0]
    assert 'data-project-state="resizing"' in health and "come back on their own" in health
    assert "pk-badge--bad" not in health
    assert "Pause project" not in overview  # only a healthy project is offered Pause


# Committed: the panels' calls run on pool threads with their own connections to the database
# cache, which see the cleared reads only once the clearing is committed.
@pytest.mark.django_db(transaction=True)
def test_pause_is_offered_as_soon_as_the_project_is_healthy(
    operator_client: Client, project_ref: str, api: Any
) -> None:
    """The overview refreshes its region when an operation finishes: the Pause button is part of it."""
    api.api.store.set_status(project_ref, "COMING_UP")
    try:
        coming_up = operator_client.get(reverse("platformkit:project", args=[project_ref])).content.decode()
    finally:
        api.api.store.set_status(project_ref, "ACTIVE_HEALTHY")
    assert "Pause project" not in coming_up
    forget_cached_reads()  # as operations.finish does when the launch's health wait ends
    refreshed = htmx_get(operator_client, reverse("platformkit:project", args=[project_ref])).content.decode()
    assert "Pause project…" in refreshed, refreshed
    assert 'id="pk-project-overview"' in refreshed


def test_a_slow_branch_list_loads_in_place_and_a_hung_one_offers_retry(
    operator_client: Client, project_ref: str, slow: Any
) -> None:
    url = reverse("platformkit:branches", args=[project_ref])
    slow(1.5)
    started = time.monotonic()
    page = operator_client.get(url).content.decode()
    assert time.monotonic() - started < 1.5
    assert_valid_html(page)
    loading = page.split('id="pk-branch-list"')[1].split(">")[0]
    assert 'hx-trigger="load"' in loading and "data-panel-loading" in loading
    assert "Loading the branches" in page and "Create branch" in page  # the rest of the page is there
    filled = htmx_get(operator_client, url).content.decode()
    assert "No branches yet" in filled and "data-panel-loading" not in filled

    slow(4.0, timeout=1.0)
    started = time.monotonic()
    hung = htmx_get(operator_client, url).content.decode()
    assert time.monotonic() - started < 3.0
    assert 'data-upstream-error="timeout"' in hung
    retry = hung.split(">Try again</a>")[0].rsplit("<a", 1)[1]
    assert f'hx-get="{url}"' in retry and 'hx-target="#pk-branch-list"' in retry
