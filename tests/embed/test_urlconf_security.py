"""Walks the URLconf, so every view added later is covered without touching this file: an
embed session for one project gets 404 for any other project on every URL, every mutating
endpoint needs a CSRF token, and every answer says who may frame it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from platformkit.core.converters import ProjectRefConverter
from platformkit.models import EmbedSession
from tests.embed.conftest import HOST

MINE, OTHER = "aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb"
ALL_SECTIONS = {
    "sections": dict.fromkeys(
        ("branches", "sql", "migrations", "functions", "restore_points", "advisors", "logs", "settings"), "write"
    )
}


def platformkit_patterns() -> list[URLPattern]:
    for resolver in get_resolver().url_patterns:
        if getattr(resolver, "app_name", None) == "platformkit":
            return [p for p in resolver.url_patterns if isinstance(p, URLPattern)]
    raise AssertionError("platformkit is not mounted")


def url_for(pattern: URLPattern, ref: str) -> str:
    kwargs: dict[str, Any] = {}
    for name, converter in pattern.pattern.converters.items():
        kwargs[name] = ref if isinstance(converter, ProjectRefConverter) else 1 if converter.regex == "[0-9]+" else "x"
    return reverse(f"platformkit:{pattern.name}", kwargs=kwargs)


DASHBOARD = [p for p in platformkit_patterns() if not (p.name or "").startswith("embed-")]
PROJECT = [p for p in DASHBOARD if any(isinstance(c, ProjectRefConverter) for c in p.pattern.converters.values())]


def csrf_headers(client: Client) -> dict[str, str]:
    return {"HTTP_X_CSRFTOKEN": EmbedSession.objects.latest("pk").csrf_secret}


def test_the_walk_sees_every_section() -> None:
    names = {p.name for p in PROJECT}
    assert {"project", "branches", "sql", "migrations", "restore-points"} <= names, names
    assert len(PROJECT) >= 15


@pytest.mark.parametrize("pattern", PROJECT, ids=lambda p: p.name)
def test_every_project_url_goes_through_the_gate(pattern: URLPattern) -> None:
    callback = pattern.callback
    assert getattr(callback, "platformkit_section", None) or pattern.name in ("project", "project-reveal-password"), (
        f"{pattern.name} is not wrapped in access.project_view"
    )


@pytest.mark.parametrize("pattern", DASHBOARD, ids=lambda p: p.name)
def test_embed_for_one_project_gets_404_for_any_other(pattern: URLPattern, embed_client: Any) -> None:
    client = embed_client(MINE, ALL_SECTIONS)
    url = url_for(pattern, OTHER)
    statuses = {client.get(url).status_code, client.post(url, {}, **csrf_headers(client)).status_code}
    assert statuses <= {404, 405} and 404 in statuses, f"{pattern.name}: {statuses}"


@pytest.mark.parametrize("pattern", DASHBOARD, ids=lambda p: p.name)
def test_every_write_needs_a_csrf_token(pattern: URLPattern, embed_client: Any, operator: Any) -> None:
    operator_client = Client(enforce_csrf_checks=True)
    operator_client.force_login(operator)
    url = url_for(pattern, MINE)
    response = operator_client.post(url, {})
    assert response.status_code in (403, 405), (
        f"{pattern.name}: operator POST without a token answered {response.status_code}"
    )
    embed = embed_client(MINE, ALL_SECTIONS)
    response = embed.post(url, {})
    assert response.status_code in (403, 404, 405), (
        f"{pattern.name}: embed POST without a token answered {response.status_code}"
    )


@pytest.mark.parametrize("pattern", PROJECT, ids=lambda p: p.name)
def test_embed_answers_may_be_framed_by_the_host_only(pattern: URLPattern, embed_client: Any, api: Any) -> None:
    client = embed_client(MINE, ALL_SECTIONS)
    response = client.get(url_for(pattern, MINE))
    assert response["Content-Security-Policy"] == f"frame-ancestors {HOST}", pattern.name
    assert "X-Frame-Options" not in response


@pytest.mark.parametrize("pattern", DASHBOARD, ids=lambda p: p.name)
def test_operator_answers_may_not_be_framed(pattern: URLPattern, operator: Any, api: Any) -> None:
    client = Client()
    client.force_login(operator)
    response = client.get(url_for(pattern, MINE))
    assert response["X-Frame-Options"] == "DENY", pattern.name
    if response.status_code < 400:
        assert response["Content-Security-Policy"] == "frame-ancestors 'none'", pattern.name
