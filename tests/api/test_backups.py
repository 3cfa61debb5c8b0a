"""The backups resource against the local Management API: restore point, undo, PITR, list."""

from __future__ import annotations

import time
from typing import Any

import pytest

from platformkit.api import ManagementClient, errors


@pytest.fixture
def client(localapi: Any) -> Any:
    with ManagementClient(localapi.token, base_url=localapi.base_url) as client:
        yield client


def _active_project(client: ManagementClient) -> str:
    organization = client.organizations.list()[0]
    ref = client.projects.create(name="Backups", organization_slug=organization.slug, db_pass="Backups-pass-12345").ref
    _until(lambda: client.projects.get(ref).status == "ACTIVE_HEALTHY")
    return ref


def _until(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.1)


def test_restore_point_undo_and_list(client: ManagementClient, localapi: Any) -> None:
    ref = _active_project(client)
    point = client.backups.create_restore_point(ref, "first")
    assert point.name == "first" and point.status in ("PENDING", "AVAILABLE")
    _until(lambda: client.backups.get_restore_point(ref, "first").status == "AVAILABLE")
    assert client.backups.get_restore_point(ref, "first").completed_on

    assert client.backups.undo(ref, "first") is None
    assert client.projects.get(ref).status == "RESTORING"
    with pytest.raises(errors.APIError) as busy:
        client.backups.undo(ref, "first")
    assert busy.value.status == 409
    _until(lambda: client.projects.get(ref).status == "ACTIVE_HEALTHY")

    info = client.backups.list(ref)
    assert info.pitr_enabled is False and info.pitr_window is None
    # The instance's physical base backups are listed (its first one is taken as it comes up).
    assert info.walg_enabled and info.backups and all(b.is_physical_backup for b in info.backups)
    with pytest.raises(errors.ValidationError, match="not enabled"):
        client.backups.restore_pitr(ref, int(time.time()))
    with pytest.raises(errors.NotFoundError):
        client.backups.get_restore_point(ref, "missing")


def test_pitr_window_and_restore(client: ManagementClient, localapi: Any) -> None:
    ref = _active_project(client)
    localapi.api.backups.set_pitr(ref, 7)
    info = client.backups.list(ref)
    assert info.pitr_enabled and info.backups[0].status == "COMPLETED"
    earliest, latest = info.pitr_window  # type: ignore[misc]
    assert earliest <= latest <= time.time()
    time.sleep(1.1)
    client.backups.restore_pitr(ref, int(time.time()))
    _until(lambda: client.projects.get(ref).status == "ACTIVE_HEALTHY")
