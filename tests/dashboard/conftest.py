"""Fixtures for the dashboard's tests: operators, the local Management API (real HTTP, real
PostgreSQL, from tests/conftest.py), fast polling, and an HTML validity check."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import html5lib
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import Client

from platformkit.core.client import reset_client


@pytest.fixture(autouse=True)
def _fresh_platformkit_state(db: None, settings: Any) -> Iterator[None]:
    """Each test starts with no cached reads and no client built from another test's settings.

    A test that needs no Management API (pages reading our database only) still needs a site with
    a token, or it gets the set-up page: when no test's local API has configured one yet (a file
    run alone), a token for an address nothing listens on (port 9) stands in."""
    if not settings.PLATFORMKIT.get("API_TOKEN"):
        settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_TOKEN": "sbp_" + "0" * 40, "API_URL": "http://127.0.0.1:9"}
    cache.clear()
    reset_client()
    yield
    reset_client()


@pytest.fixture
def api(localapi: Any, settings: Any) -> Any:
    """The local Management API with the site pointed at it and quick health polling."""
    return point_site_at(localapi, settings)


def point_site_at(server: Any, settings: Any) -> Any:
    """The site's settings pointed at the local API ``server``, with quick health polling."""
    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "API_URL": server.base_url,
        "API_TOKEN": server.token,
        "HEALTH_POLL_INTERVAL": 0.2,
        "HEALTH_POLL_MAX_INTERVAL": 0.5,
        "FUNCTIONS_URL": "{api_url}/project/{ref}/functions/v1/{slug}",
    }
    return server


@pytest.fixture
def upstream(api: Any) -> Any:
    """A client of our own for arranging state upstream (not through the pages under test)."""
    from platformkit.api import ManagementClient

    with ManagementClient(api.token, base_url=api.base_url) as client:
        yield client


@pytest.fixture
def organization(upstream: Any) -> Any:
    return upstream.organizations.list()[0]


@pytest.fixture
def make_project(upstream: Any, organization: Any) -> Callable[..., Any]:
    from platformkit.sections.projects.services import generate_db_password

    def make(name: str = "Arranged project", region: str = "emea") -> Any:
        return upstream.projects.create(
            name=name,
            organization_slug=organization.slug,
            db_pass=generate_db_password(),
            region_selection={"type": "smartGroup", "code": region},
            desired_instance_size="micro",
        )

    return make


@pytest.fixture
def operator(db: None) -> Any:
    return get_user_model().objects.create_user("operator", password="pw-operator", is_staff=True)


@pytest.fixture
def operator_client(operator: Any) -> Client:
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    def make(username: str, *perms: str, **fields: Any) -> Any:
        user = get_user_model().objects.create_user(username, password="pw", **fields)
        for perm in perms:
            user.user_permissions.add(Permission.objects.get(content_type__app_label="platformkit", codename=perm))
        return get_user_model().objects.get(pk=user.pk)  # fresh permission cache

    return make


@pytest.fixture
def closed_port_url() -> str:
    """An http URL on a loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def assert_valid_html(content: bytes | str, *, fragment: bool = False) -> None:
    """Parse with html5lib in strict mode: any parse error fails the test."""
    text = content.decode() if isinstance(content, bytes) else content
    parser = html5lib.HTMLParser(strict=True)
    try:
        if fragment:
            parser.parseFragment(text)
        else:
            parser.parse(text)
    except html5lib.html5parser.ParseError as exc:
        line, col = parser.errors[0][0] if parser.errors else ("?", "?")
        lines = text.splitlines()
        context = lines[line - 1] if isinstance(line, int) and line <= len(lines) else ""
        raise AssertionError(f"invalid HTML at {line}:{col}: {exc}\n{context}") from exc


def htmx_get(client: Client, url: str, **extra: Any) -> Any:
    return client.get(url, headers={"HX-Request": "true"}, **extra)
