"""Helpers for the local Management API's tests: httpx clients on the shared ``localapi``
server (tests/conftest.py), projects made through the API, and waits on their status."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

DEFAULT_ORG = "localorganization"
PROJECT_BODY = {
    "name": "Test project",
    "organization_slug": DEFAULT_ORG,
    "db_pass": "correct-horse-battery-staple",
    "region_selection": {"type": "smartGroup", "code": "emea"},
    "desired_instance_size": "micro",
}


@pytest.fixture
def http(localapi: Any) -> Iterator[httpx.Client]:
    """A client carrying the right token."""
    with httpx.Client(
        base_url=localapi.base_url, headers={"Authorization": f"Bearer {localapi.token}"}, timeout=15
    ) as client:
        yield client


@pytest.fixture
def anonymous(localapi: Any) -> Iterator[httpx.Client]:
    """A client with no token at all."""
    with httpx.Client(base_url=localapi.base_url, timeout=15) as client:
        yield client


def wait_for_status(http: httpx.Client, ref: str, status: str, timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        project = http.get(f"/v1/projects/{ref}").json()
        if project["status"] == status:
            return project
        assert time.monotonic() < deadline, f"project {ref} stayed {project['status']}, never became {status}"
        time.sleep(0.05)


def wait_until_available(http: httpx.Client, ref: str, name: str, timeout: float = 30.0) -> dict[str, Any]:
    """The restore point once its snapshot has finished (AVAILABLE, or FAILED)."""
    deadline = time.monotonic() + timeout
    while True:
        point = http.get(f"/v1/projects/{ref}/database/backups/restore-point", params={"name": name}).json()
        if point["status"] != "PENDING":
            return point
        assert time.monotonic() < deadline, f"restore point {name} stayed PENDING"
        time.sleep(0.05)


@pytest.fixture
def create_project(http: httpx.Client) -> Callable[..., dict[str, Any]]:
    """Create a project through the API (201 asserted), overriding fields of a valid body."""

    def create(**fields: Any) -> dict[str, Any]:
        response = http.post("/v1/projects", json={**PROJECT_BODY, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    return create


@pytest.fixture
def active_project(http: httpx.Client, create_project: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A project that has come up (ACTIVE_HEALTHY)."""
    return wait_for_status(http, create_project()["ref"], "ACTIVE_HEALTHY")


def message(response: httpx.Response) -> str:
    """The JSON error message every failure carries (asserting that it does)."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert set(body) == {"message"} and isinstance(body["message"], str) and body["message"], body
    return str(body["message"])


def own_config(localapi: Any, pg_location: Any, name: str, **overrides: Any) -> Any:
    """The suite's local API config with a control database, token and instances of its own
    (``name`` dropped first), for a test's own server with its own settings."""
    import dataclasses
    import secrets
    from pathlib import Path

    import psycopg
    from psycopg import sql as pgsql

    with psycopg.connect(pg_location.url(), autocommit=True) as conn:
        conn.execute(pgsql.SQL("drop database if exists {} with (force)").format(pgsql.Identifier(name)))
    root = Path(localapi.config.instances_path()).parent
    return dataclasses.replace(
        localapi.config,
        control_db=name,
        token="own-" + secrets.token_urlsafe(8),
        instances_dir=str(root / f"instances-{name}"),
        snapshot_dir=str(root / f"snapshots-{name}"),
        status_delay_seconds=0,
        **overrides,
    )


@pytest.fixture(scope="module")
def real_targets(localapi: Any) -> Iterator[Any]:
    """Live things to aim requests at (tests/localapi/targets.py), one set per test module."""
    from tests.localapi.targets import RealTargets

    with httpx.Client(
        base_url=localapi.base_url, headers={"Authorization": f"Bearer {localapi.token}"}, timeout=30
    ) as client:
        yield RealTargets(client)
