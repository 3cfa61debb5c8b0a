"""A page whose calls are rate limited beyond what the client waits says so and retries by
itself ("Rate limited by the Management API, retrying in N s", an htmx ``load delay``), never a
500 or a generic error; once the window is over the retry shows the data. Against the real
local API with a small budget, through Django's test client."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from platformkit.localapi.server import LocalAPIServer
from tests.dashboard.conftest import assert_valid_html, htmx_get

RETRY = re.compile(r"Rate limited by the Management API, retrying in (\d+) s")


def use_up(server: LocalAPIServer, *paths: str) -> None:
    """Spend the budget of each path's scope from elsewhere (another process of the token)."""
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}) as other:
        for path in paths:
            while other.get(path).status_code != 429:
                pass


@pytest.fixture
def point_at(settings: Any) -> Callable[[LocalAPIServer], None]:
    def point(server: LocalAPIServer) -> None:
        settings.PLATFORMKIT = {
            **settings.PLATFORMKIT,
            "API_URL": server.base_url,
            "API_TOKEN": server.token,
            "READ_CACHE_SECONDS": 0,
            "RETRY_DEADLINE": 1.0,  # the client waits no more than this for a budget
        }

    return point


def retry_seconds(page: str) -> int:
    found = RETRY.search(page)
    assert found, "the page says it is rate limited and when it retries"
    return int(found.group(1))


def test_projects_list_says_rate_limited_and_retries_the_table_by_itself(
    limited_localapi: Callable[..., LocalAPIServer],
    point_at: Callable[[LocalAPIServer], None],
    operator_client: Client,
    make_project: Callable[..., Any],
) -> None:
    make_project("Listed while limited")
    server = limited_localapi(standard=3, window=6.0)  # the page asks well within it (RETRY_DEADLINE 1 s)
    point_at(server)
    use_up(server, "/v1/projects")
    response = operator_client.get(reverse("platformkit:projects"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-upstream-error="rate_limited"' in page
    seconds = retry_seconds(page)
    assert 1 <= seconds <= 6
    assert f'hx-trigger="load delay:{seconds}s, click"' in page
    assert 'hx-get="/projects/"' in page.replace(reverse("platformkit:projects"), "/projects/")
    assert 'hx-target="#pk-project-table"' in page
    assert "Traceback" not in page and server.token not in page
    assert_valid_html(page)

    time.sleep(seconds + 0.2)  # what the browser does: wait, then fetch the region
    retried = htmx_get(operator_client, reverse("platformkit:projects"))
    assert retried.status_code == 200
    assert "Listed while limited" in retried.content.decode()
    assert "data-upstream-error" not in retried.content.decode()


def test_project_overview_says_rate_limited_with_the_seconds_the_api_gave(
    limited_localapi: Callable[..., LocalAPIServer],
    point_at: Callable[[LocalAPIServer], None],
    operator_client: Client,
    make_project: Callable[..., Any],
) -> None:
    project = make_project("Overview while limited")
    server = limited_localapi(standard=2, window=30.0)
    point_at(server)
    use_up(server, f"/v1/projects/{project.ref}")
    response = operator_client.get(reverse("platformkit:project", args=[project.ref]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 25 <= retry_seconds(page) <= 30  # the window's rest, not a guess
    assert 'hx-target="#pk-project-overview"' in page
    assert "Too many requests" not in page and "failed" not in page.lower()
    assert_valid_html(page)


@pytest.mark.parametrize("name", ["branches", "functions", "secrets", "migrations", "api-keys", "restore-points"])
def test_project_sections_rate_limited_never_500(
    name: str,
    limited_localapi: Callable[..., LocalAPIServer],
    point_at: Callable[[LocalAPIServer], None],
    operator_client: Client,
    make_project: Callable[..., Any],
) -> None:
    project = make_project(f"Section {name}")
    server = limited_localapi(standard=2, window=30.0)
    point_at(server)
    use_up(server, f"/v1/projects/{project.ref}", "/v1/projects", "/v1/organizations/localorganization")
    response = operator_client.get(reverse(f"platformkit:{name}", args=[project.ref]))
    page = response.content.decode()
    assert response.status_code == 200, page[:2000]
    assert 'data-upstream-error="rate_limited"' in page
    seconds = retry_seconds(page)
    # A page without a region to refresh fetches its main content whole and swaps it in.
    assert f'hx-trigger="load delay:{seconds}s' in page
    assert "Traceback" not in page
    assert_valid_html(page)


def test_a_refused_form_says_try_again_and_is_not_resent(
    limited_localapi: Callable[..., LocalAPIServer],
    point_at: Callable[[LocalAPIServer], None],
    operator_client: Client,
    make_project: Callable[..., Any],
    upstream: Any,
) -> None:
    project = make_project("Form while limited")
    server = limited_localapi(standard=2, window=30.0)
    point_at(server)
    use_up(server, f"/v1/projects/{project.ref}")
    response = operator_client.post(reverse("platformkit:secrets-add", args=[project.ref]), {"secrets": "API_KEY=v"})
    page = response.content.decode()
    assert response.status_code < 500
    assert "Try again in" in page
    assert "load delay" not in page, "a refused change is not sent again by itself"
    assert "API_KEY" not in [secret.name for secret in upstream.secrets.list(project.ref)]
