"""Pause refuses connections for real (INACTIVE); restore lets them in again (ACTIVE_HEALTHY);
the restore versions list; and the states in which either is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import psycopg
import pytest

from tests.localapi.conftest import PROJECT_BODY, message, wait_for_status
from tests.localapi.test_projects import connect_as_owner


def test_pause_refuses_connections_and_restore_allows_them(
    http: httpx.Client, localapi: Any, active_project: dict[str, Any]
) -> None:
    ref = active_project["ref"]
    held = connect_as_owner(localapi, ref, PROJECT_BODY["db_pass"])

    response = http.post(f"/v1/projects/{ref}/pause")
    assert (response.status_code, response.json()) == (200, {})  # JSON the MCP server parses (client-compatibility.md)
    assert http.get(f"/v1/projects/{ref}").json()["status"] in {"PAUSING", "INACTIVE"}
    with pytest.raises(psycopg.OperationalError):  # the open session was ended
        held.execute("select 1")
    with pytest.raises(psycopg.OperationalError, match="Connection refused"):  # its instance is stopped
        connect_as_owner(localapi, ref, PROJECT_BODY["db_pass"])
    wait_for_status(http, ref, "INACTIVE")
    refused = http.post(f"/v1/projects/{ref}/database/query", json={"query": "select 1"})
    assert refused.status_code == 400 and "paused" in message(refused)  # a call does not start it
    assert not localapi.api.instances.instance(ref).is_running()
    db = http.get(f"/v1/projects/{ref}/health", params={"services": "db,auth"}).json()
    assert [item["status"] for item in db] == ["UNHEALTHY", "UNHEALTHY"]

    response = http.post(f"/v1/projects/{ref}/restore")
    assert (response.status_code, response.json()) == (200, {})  # JSON the MCP server parses (client-compatibility.md)
    assert http.get(f"/v1/projects/{ref}").json()["status"] == "RESTORING"
    assert http.get(f"/v1/projects/{ref}/health", params={"services": "db"}).json()[0]["status"] == "COMING_UP"
    wait_for_status(http, ref, "ACTIVE_HEALTHY")
    with connect_as_owner(localapi, ref, PROJECT_BODY["db_pass"]) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
    assert http.get(f"/v1/projects/{ref}/health", params={"services": "db"}).json()[0]["status"] == "ACTIVE_HEALTHY"


def test_pausing_twice_or_restoring_an_active_project_is_refused(
    http: httpx.Client, active_project: dict[str, Any]
) -> None:
    ref = active_project["ref"]
    response = http.post(f"/v1/projects/{ref}/restore")
    assert response.status_code == 400
    assert "ACTIVE_HEALTHY" in message(response) and "only an INACTIVE" in message(response)

    assert http.post(f"/v1/projects/{ref}/pause").status_code == 200
    wait_for_status(http, ref, "INACTIVE")
    response = http.post(f"/v1/projects/{ref}/pause")
    assert response.status_code == 400
    assert "is INACTIVE" in message(response)


def test_a_project_coming_up_cannot_be_paused(
    http: httpx.Client, create_project: Callable[..., dict[str, Any]]
) -> None:
    response = http.post(f"/v1/projects/{create_project()['ref']}/pause")
    assert response.status_code == 400
    assert "COMING_UP" in message(response)


def test_restore_versions(http: httpx.Client, active_project: dict[str, Any]) -> None:
    response = http.get(f"/v1/projects/{active_project['ref']}/restore")
    assert response.status_code == 200
    assert response.json() == {"available_versions": []}


@pytest.mark.parametrize(("method", "path"), [("POST", "pause"), ("POST", "restore"), ("GET", "restore")])
def test_unknown_project_is_404(http: httpx.Client, method: str, path: str) -> None:
    response = http.request(method, f"/v1/projects/abcdefghijklmnopqrst/{path}")
    assert response.status_code == 404
    assert "abcdefghijklmnopqrst" in message(response)
