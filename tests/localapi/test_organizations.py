"""Organizations: the seeded default, create (slug made as upstream), detail, and projects."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.localapi.conftest import DEFAULT_ORG, message


def test_default_organization_is_listed(http: httpx.Client) -> None:
    response = http.get("/v1/organizations")
    assert response.status_code == 200
    assert {"id": DEFAULT_ORG, "slug": DEFAULT_ORG, "name": "Local organization"} in response.json()


def test_create_makes_a_slug_of_20_lowercase_letters(http: httpx.Client) -> None:
    response = http.post("/v1/organizations", json={"name": "Acme"})
    assert response.status_code == 201
    created = response.json()
    assert (
        re.fullmatch(r"[a-z]{20}", created["slug"]) and created["id"] == created["slug"] and created["name"] == "Acme"
    )
    assert created in http.get("/v1/organizations").json()
    detail = http.get(f"/v1/organizations/{created['slug']}").json()
    assert detail == {
        "id": created["slug"],
        "name": "Acme",
        "plan": "free",
        "opt_in_tags": [],
        "allowed_release_channels": ["ga"],
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, "name is required"),
        ({"name": 7}, "name must be a string"),
        ({"name": ""}, "1 to 256"),
        ({"name": "x" * 257}, "1 to 256"),
        ({"name": "Acme", "plan": "pro"}, "property plan should not exist"),
    ],
)
def test_create_rejects_bad_bodies(http: httpx.Client, body: dict[str, Any], expected: str) -> None:
    before = http.get("/v1/organizations").json()
    response = http.post("/v1/organizations", json=body)
    assert response.status_code == 400
    assert expected in message(response)
    assert http.get("/v1/organizations").json() == before


def test_unknown_organization_is_404(http: httpx.Client) -> None:
    for path in ("/v1/organizations/nosuchorganization", "/v1/organizations/nosuchorganization/projects"):
        response = http.get(path)
        assert response.status_code == 404
        assert "nosuchorganization" in message(response)


def test_bad_slug_is_400(http: httpx.Client) -> None:
    response = http.get("/v1/organizations/bad.slug!")
    assert response.status_code == 400
    assert "slug" in message(response)


def test_organization_projects_page_sort_search_filter(
    http: httpx.Client, create_project: Callable[..., dict[str, Any]]
) -> None:
    slug = http.post("/v1/organizations", json={"name": "Paging"}).json()["slug"]
    for name in ("charlie", "alpha", "bravo"):
        create_project(name=name, organization_slug=slug)

    page = http.get(f"/v1/organizations/{slug}/projects").json()
    assert [project["name"] for project in page["projects"]] == ["alpha", "bravo", "charlie"]
    assert page["pagination"] == {"count": 3, "limit": 100, "offset": 0}
    item = page["projects"][0]
    assert item["databases"][0]["identifier"] == item["ref"] and item["databases"][0]["infra_compute_size"] == "micro"
    assert item["region"] == "eu-central-1" and item["is_branch"] is False

    page = http.get(f"/v1/organizations/{slug}/projects", params={"sort": "name_desc", "limit": 2, "offset": 1}).json()
    assert [project["name"] for project in page["projects"]] == ["bravo", "alpha"]
    assert page["pagination"] == {"count": 3, "limit": 2, "offset": 1}

    page = http.get(f"/v1/organizations/{slug}/projects", params={"sort": "created_desc"}).json()
    assert [project["name"] for project in page["projects"]] == ["bravo", "alpha", "charlie"]

    page = http.get(f"/v1/organizations/{slug}/projects", params={"search": "RAV"}).json()
    assert [project["name"] for project in page["projects"]] == ["bravo"]

    page = http.get(f"/v1/organizations/{slug}/projects", params={"statuses": "INACTIVE"}).json()
    assert page["projects"] == [] and page["pagination"]["count"] == 0


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"limit": "0"}, "limit must be between 1 and 100"),
        ({"limit": "101"}, "limit must be between 1 and 100"),
        ({"offset": "-1"}, "offset must be at least 0"),
        ({"offset": "many"}, "offset must be an integer"),
        ({"sort": "size_asc"}, "sort must be one of"),
        ({"statuses": "ACTIVE_HEALTHY,SLEEPING"}, "SLEEPING"),
    ],
)
def test_organization_projects_rejects_bad_params(http: httpx.Client, params: dict[str, str], expected: str) -> None:
    response = http.get(f"/v1/organizations/{DEFAULT_ORG}/projects", params=params)
    assert response.status_code == 400
    assert expected in message(response)
