"""An undo or PITR that a stop of the local API cuts short says so: a SIGKILL after its 201
leaves a row under way that the next start turns into a report ("interrupted", with the data the
project has now); a clean stop in the middle of a recovery stops the recovery's postmaster at
once (not at the next start) and reports the same. Reports are read through the local API's
``local/v1/.../database/backups/reports`` extension."""

from __future__ import annotations

import shutil
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from platformkit.localapi.recovery.postmaster import postmaster_pid
from platformkit.localapi.recovery.swap import CRASH_ENV
from platformkit.localapi.server import LocalAPIServer
from tests.localapi.conftest import own_config, wait_for_status, wait_until_available
from tests.localapi.test_command import (  # noqa: F401 (fixtures)
    _no_server_outlives_its_test,
    database_url_args,
)
from tests.localapi.test_restore_crash import AFTER, BEFORE, Client, a_project_with_a_point, after_restart, serve


def reports(client: Client | httpx.Client, ref: str) -> list[dict[str, Any]]:
    http = client.http if isinstance(client, Client) else client
    response = http.get(f"/local/v1/projects/{ref}/database/backups/reports")
    assert response.status_code == 200, response.text
    return list(response.json())


@pytest.mark.parametrize(
    ("step", "rows", "state"),
    [("recovered", AFTER, "unchanged"), ("live-moved-aside", BEFORE, "restored"), ("swapped", BEFORE, "restored")],
)
def test_an_undo_killed_after_its_201_is_reported_interrupted_on_restart(
    tmp_path: Path, database_url_args: list[str], step: str, rows: list[dict[str, int]], state: str
) -> None:
    running = serve(tmp_path, database_url_args, {CRASH_ENV: step})
    client = Client(running.base_url)
    ref = a_project_with_a_point(client)
    client.undo(ref, "before")
    running.process.wait(timeout=60)
    assert running.process.returncode == -signal.SIGKILL

    again, client, now = after_restart(tmp_path, database_url_args, ref)
    try:
        assert now == rows
        [report] = reports(client, ref)
        assert report["kind"] == "undo" and report["target"] == "before"
        assert report["report"]["interrupted"] is True
        assert "interrupted" in report["report"]["failed"]
        assert report["report"]["state"].startswith(state), report
        # The next undo runs and reports no failure.
        client.undo(ref, "before")
        client.wait(ref, "ACTIVE_HEALTHY")
        deadline = time.monotonic() + 30
        while len(latest := reports(client, ref)) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert "failed" not in latest[0]["report"], latest[0]
        assert client.sql(ref, "select id from public.t order by id") == BEFORE
    finally:
        assert again.stop()[0] == 0


def test_stopping_the_local_api_mid_recovery_stops_the_recovery_at_once(localapi: Any, pg_location: Any) -> None:
    config = own_config(localapi, pg_location, "platformkit_localapi_midrecovery")
    first = LocalAPIServer(config).start()
    http = httpx.Client(base_url=first.base_url, headers={"Authorization": f"Bearer {config.token}"}, timeout=30)
    body = {"name": "Mid recovery", "organization_slug": "localorganization", "db_pass": "pw-mid-recovery"}
    ref = http.post("/v1/projects", json=body).json()["ref"]
    wait_for_status(http, ref, "ACTIVE_HEALTHY", timeout=60)

    def sql(query: str) -> Any:
        response = http.post(f"/v1/projects/{ref}/database/query", json={"query": query})
        assert response.status_code == 201, response.text
        return response.json()

    sql("create table public.t (id int primary key, pad text)")
    # WAL to replay after the base backup: the recovery takes a moment.
    for start in range(0, 200_000, 50_000):
        sql(f"insert into public.t select i, repeat('x', 200) from generate_series({start + 1}, {start + 50_000}) i")
    assert http.post(f"/v1/projects/{ref}/database/backups/restore-point", json={"name": "p"}).status_code == 201
    assert wait_until_available(http, ref, "p")["status"] == "AVAILABLE"
    sql("delete from public.t where id > 10")
    recovering = first.api.instances.recovery_dir(ref)
    assert http.post(f"/v1/projects/{ref}/database/backups/undo", json={"name": "p"}).status_code == 201
    deadline = time.monotonic() + 60
    while postmaster_pid(recovering) is None:
        assert time.monotonic() < deadline, "no recovery postmaster came up"
        time.sleep(0.005)
    started = time.monotonic()
    first.stop()
    stopping = time.monotonic() - started
    assert postmaster_pid(recovering) is None, "the recovery's postmaster outlived the local API"
    assert not recovering.exists()

    second = LocalAPIServer(config).start()
    try:
        http = httpx.Client(base_url=second.base_url, headers={"Authorization": f"Bearer {config.token}"}, timeout=30)
        wait_for_status(http, ref, "ACTIVE_HEALTHY", timeout=60)
        assert sql("select count(*) as n from public.t") == [{"n": 10}]  # the previous data
        [report] = reports(http, ref)
        assert report["report"]["interrupted"] is True and report["report"]["state"].startswith("unchanged")
        print(f"stopped mid-recovery in {stopping:.2f} s")
    finally:
        second.stop()
        shutil.rmtree(config.instances_dir, ignore_errors=True)  # ~1 GB of WAL and backups
