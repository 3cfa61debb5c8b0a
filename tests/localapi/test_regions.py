"""``GET /v1/projects/available-regions``: smart groups and specific regions, recommended by continent."""

from __future__ import annotations

import httpx
import pytest

from tests.localapi.conftest import DEFAULT_ORG, message


def test_lists_smart_groups_and_the_documented_regions(http: httpx.Client, openapi_document: dict) -> None:
    response = http.get("/v1/projects/available-regions", params={"organization_slug": DEFAULT_ORG})
    assert response.status_code == 200
    regions = response.json()
    assert [group["code"] for group in regions["all"]["smartGroup"]] == ["americas", "emea", "apac"]
    documented = openapi_document["components"]["schemas"]["V1CreateProjectBody"]["properties"]["region"]["enum"]
    assert sorted(item["code"] for item in regions["all"]["specific"]) == sorted(documented)
    assert {item["provider"] for item in regions["all"]["specific"]} == {"AWS"}
    assert regions["recommendations"]["smartGroup"]["code"] == "americas"  # NA by default


@pytest.mark.parametrize(
    ("continent", "group", "member"),
    [("EU", "emea", "eu-west-1"), ("AS", "apac", "ap-northeast-1"), ("SA", "americas", "sa-east-1")],
)
def test_recommendations_follow_the_continent(http: httpx.Client, continent: str, group: str, member: str) -> None:
    regions = http.get(
        "/v1/projects/available-regions", params={"organization_slug": DEFAULT_ORG, "continent": continent}
    ).json()
    assert regions["recommendations"]["smartGroup"]["code"] == group
    codes = [item["code"] for item in regions["recommendations"]["specific"]]
    assert member in codes and all(code in [r["code"] for r in regions["all"]["specific"]] for code in codes)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "organization_slug is required"),
        ({"organization_slug": "nosuchorganization"}, "Organization nosuchorganization not found"),
        ({"organization_slug": DEFAULT_ORG, "continent": "XX"}, "continent must be one of"),
        ({"organization_slug": DEFAULT_ORG, "desired_instance_size": "huge"}, "desired_instance_size must be one of"),
    ],
)
def test_bad_params_are_400(http: httpx.Client, params: dict[str, str], expected: str) -> None:
    response = http.get("/v1/projects/available-regions", params=params)
    assert response.status_code == 400
    assert expected in message(response)
