"""A restore point is a WAL record (``pg_create_restore_point``): it needs a base backup before
it, not the one being taken, so creating one does not wait behind a periodic base backup
under way (it did: both took the instance's backup lock)."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from tests.localapi.conftest import wait_until_available
from tests.localapi.test_branches import sql


def test_a_restore_point_does_not_wait_for_a_base_backup_under_way(
    http: httpx.Client, active_project: dict[str, Any], localapi: Any
) -> None:
    ref = active_project["ref"]
    instances = localapi.api.instances
    sql(http, ref, "create table public.t (id int, pad text)")
    for start in range(0, 300_000, 50_000):  # a base backup that takes a moment
        sql(
            http,
            ref,
            f"insert into public.t select i, repeat('x', 200) from generate_series({start}, {start + 49_999}) i",
        )
    instances.ensure_base_backup(ref)  # the first one (a point needs one before it)

    took: dict[str, float] = {}

    def periodic() -> None:
        started = time.monotonic()
        instances.base_backup(ref, incremental=False)  # as the periodic loop takes one
        took["backup"] = time.monotonic() - started

    backup = threading.Thread(target=periodic)
    backup.start()
    deadline = time.monotonic() + 30
    while not list(instances.store(ref).base_dir.glob("*.partial")):  # pg_basebackup is copying
        assert time.monotonic() < deadline and backup.is_alive(), "the base backup never got under way"
        time.sleep(0.005)
    started = time.monotonic()
    assert http.post(f"/v1/projects/{ref}/database/backups/restore-point", json={"name": "mid"}).status_code == 201
    assert wait_until_available(http, ref, "mid")["status"] == "AVAILABLE"
    took["point"] = time.monotonic() - started
    still_backing_up = backup.is_alive()
    backup.join(60)
    print(f"restore point {took['point']:.3f} s during a base backup of {took['backup']:.3f} s")
    assert still_backing_up, took  # the point was ready before the backup ended
