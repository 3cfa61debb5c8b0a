"""Whatever a caller sends, the answer is a 2xx or a 4xx with a JSON message, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from platformkit.localapi.validation import CREATE_PROJECT_FIELDS
from tests.localapi.conftest import DEFAULT_ORG, PROJECT_BODY, message

ODD_VALUES: list[Any] = [None, 0, -1, 1.5, True, [], {}, "", "x" * 5000, "☃ naïve", {"type": "smartGroup"}, ["a", 1]]


def assert_answered(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        message(response)


@pytest.mark.parametrize("field", sorted(CREATE_PROJECT_FIELDS))
def test_create_project_with_odd_field_values(http: httpx.Client, field: str) -> None:
    for value in ODD_VALUES:
        assert_answered(http.post("/v1/projects", json={**PROJECT_BODY, "region_selection": None, field: value}))


def test_organization_and_rename_with_odd_names(http: httpx.Client, active_project: dict[str, Any]) -> None:
    for value in ODD_VALUES:
        assert_answered(http.post("/v1/organizations", json={"name": value}))
        assert_answered(http.patch(f"/v1/projects/{active_project['ref']}", json={"name": value}))


@pytest.mark.parametrize(
    ("path", "names"),
    [
        (f"/v1/organizations/{DEFAULT_ORG}/projects", ["offset", "limit", "search", "sort", "statuses"]),
        ("/v1/projects/available-regions", ["organization_slug", "continent", "desired_instance_size"]),
        ("/v1/projects/{ref}/health", ["services", "timeout_ms"]),
    ],
)
def test_odd_query_parameters(http: httpx.Client, active_project: dict[str, Any], path: str, names: list[str]) -> None:
    for name in names:
        for value in ["", "-", "99999999999999999999", "☃", "a,b,,c", "%00", "1e3", " 5"]:
            assert_answered(http.get(path.format(ref=active_project["ref"]), params={name: value}))


@pytest.mark.parametrize(
    "path",
    [
        "/v1/projects/☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃",
        "/v1/organizations/%00",
        "/v1/projects/%2e%2e/health",
        "/v1/organizations/a%2Fb",
    ],
)
def test_odd_paths(http: httpx.Client, path: str) -> None:
    for method in ("GET", "POST", "PATCH", "DELETE"):
        assert_answered(http.request(method, path, json={}))
