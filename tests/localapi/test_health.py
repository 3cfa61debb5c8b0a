"""``GET /v1/projects/{ref}/health``: the required ``services`` list, each service's state,
and ``db`` checked by really connecting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.localapi.conftest import message

ALL = ["auth", "db", "db_postgres_user", "pooler", "realtime", "rest", "storage", "pg_bouncer"]


def test_active_project_reports_every_service_healthy(http: httpx.Client, active_project: dict[str, Any]) -> None:
    response = http.get(f"/v1/projects/{active_project['ref']}/health", params={"services": ALL})
    assert response.status_code == 200
    report = {item["name"]: item for item in response.json()}
    assert list(report) == ALL
    assert all(item["status"] == "ACTIVE_HEALTHY" and item["healthy"] is True for item in report.values())
    assert report["db"]["info"] == {
        "healthy": True,
        "db_connected": True,
        "replication_connected": False,
        "connected_cluster": 1,
    }
    assert report["auth"]["info"]["name"] == "GoTrue"
    assert "db_schema" in report["rest"]["info"]


def test_services_repeated_or_comma_separated(http: httpx.Client, active_project: dict[str, Any]) -> None:
    path = f"/v1/projects/{active_project['ref']}/health"
    repeated = http.get(path, params=[("services", "db"), ("services", "auth")]).json()
    commas = http.get(path, params={"services": "db,auth"}).json()
    assert [item["name"] for item in repeated] == [item["name"] for item in commas] == ["db", "auth"]


def test_coming_up_project_reports_coming_up(http: httpx.Client, create_project: Callable[..., dict[str, Any]]) -> None:
    ref = create_project()["ref"]
    report = http.get(f"/v1/projects/{ref}/health", params={"services": "db,rest"}).json()
    assert [(item["status"], item["healthy"]) for item in report] == [("COMING_UP", False)] * 2


def test_db_health_really_connects(http: httpx.Client, localapi: Any, active_project: dict[str, Any]) -> None:
    import psycopg

    ref = active_project["ref"]
    # Refuse connections behind the API's back: the report must notice, so it really connects
    # (its pooled sessions stay open, so it must log in afresh).
    admin = localapi.api.instances.instance(ref).admin_conninfo("template1")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("alter database postgres allow_connections false")
        try:
            db = http.get(f"/v1/projects/{ref}/health", params={"services": "db"}).json()[0]
        finally:
            conn.execute("alter database postgres allow_connections true")
    assert db["status"] == "UNHEALTHY" and db["info"]["db_connected"] is False
    assert "not currently accepting connections" in db["error"]
    assert http.get(f"/v1/projects/{ref}/health", params={"services": "db"}).json()[0]["status"] == "ACTIVE_HEALTHY"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "services is required"),
        ({"services": ""}, "services is required"),
        ({"services": "db,teleport"}, "Unknown service(s) teleport"),
        ({"services": "db", "timeout_ms": "20000"}, "timeout_ms must be between 0 and 10000"),
        ({"services": "db", "timeout_ms": "soon"}, "timeout_ms must be an integer"),
    ],
)
def test_bad_services_or_timeout_is_400(
    http: httpx.Client, active_project: dict[str, Any], params: dict[str, str], expected: str
) -> None:
    response = http.get(f"/v1/projects/{active_project['ref']}/health", params=params)
    assert response.status_code == 400
    assert expected in message(response)


def test_health_of_unknown_project_is_404(http: httpx.Client) -> None:
    response = http.get("/v1/projects/abcdefghijklmnopqrst/health", params={"services": "db"})
    assert response.status_code == 404
    message(response)
