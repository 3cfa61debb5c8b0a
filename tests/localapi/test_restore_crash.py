"""A local API killed (SIGKILL) during an undo, as a real process over its own data dir: after a
restart the project is restored or has its previous data intact, never a mix, never wedged in
RESTORING, and the next undo works (issue 15's "killed during an undo" finding)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from platformkit.localapi.recovery.swap import CRASH_ENV
from tests.localapi.test_command import (  # noqa: F401 (fixtures)
    _no_server_outlives_its_test,
    database_url_args,
    start,
)

TOKEN = "crash-test-token"
BEFORE, AFTER = [{"id": 1}, {"id": 2}], [{"id": 1}, {"id": 2}, {"id": 3}]


class Client:
    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)

    def wait(self, ref: str, status: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while (now := self.http.get(f"/v1/projects/{ref}").json()["status"]) != status:
            assert time.monotonic() < deadline, f"{ref} stayed {now}"
            time.sleep(0.1)

    def sql(self, ref: str, query: str) -> Any:
        response = self.http.post(f"/v1/projects/{ref}/database/query", json={"query": query})
        assert response.status_code == 201, response.text
        return response.json()

    def point(self, ref: str, name: str) -> None:
        assert (
            self.http.post(f"/v1/projects/{ref}/database/backups/restore-point", json={"name": name}).status_code == 201
        )
        deadline = time.monotonic() + 30
        while (status := self.point_status(ref, name)) == "PENDING":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert status == "AVAILABLE"

    def point_status(self, ref: str, name: str) -> str:
        params = {"name": name}
        return str(self.http.get(f"/v1/projects/{ref}/database/backups/restore-point", params=params).json()["status"])

    def undo(self, ref: str, name: str) -> None:
        response = self.http.post(f"/v1/projects/{ref}/database/backups/undo", json={"name": name})
        assert response.status_code == 201, response.text

    def last_report(self, ref: str) -> dict[str, Any]:
        """What the newest undo or PITR reported (the local API's reports extension)."""
        response = self.http.get(f"/local/v1/projects/{ref}/database/backups/reports")
        assert response.status_code == 200, response.text
        return dict(response.json()[0]["report"])


def a_project_with_a_point(client: Client) -> str:
    body = {"name": "Crash", "organization_slug": "localorganization", "db_pass": "pw-crash-test"}
    ref = str(client.http.post("/v1/projects", json=body).json()["ref"])
    client.wait(ref, "ACTIVE_HEALTHY")
    client.sql(ref, "create table public.t (id int primary key); insert into public.t values (1), (2)")
    client.point(ref, "before")
    client.sql(ref, "insert into public.t values (3)")
    return ref


def serve(data: Path, args: list[str], env: dict[str, str] | None = None) -> Any:
    saved = {key: os.environ.get(key) for key in (env or {})}
    os.environ.update(env or {})
    try:
        return start("--data", str(data), "--token", TOKEN, "--status-delay", "0", *args)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def after_restart(data: Path, args: list[str], ref: str) -> tuple[Any, Client, Any]:
    running = serve(data, args)
    client = Client(running.base_url)
    client.wait(ref, "ACTIVE_HEALTHY", timeout=30)  # not wedged in RESTORING
    return running, client, client.sql(ref, "select id from public.t order by id")


def test_killed_in_the_middle_of_the_swap_finishes_the_undo_on_restart(
    tmp_path: Path, database_url_args: list[str]
) -> None:
    # The engine kills the process itself right after the live data dir was moved aside.
    running = serve(tmp_path, database_url_args, {CRASH_ENV: "live-moved-aside"})
    client = Client(running.base_url)
    ref = a_project_with_a_point(client)
    client.undo(ref, "before")
    running.process.wait(timeout=60)
    assert running.process.returncode == -signal.SIGKILL

    again, client, rows = after_restart(tmp_path, database_url_args, ref)
    try:
        assert rows == BEFORE  # the swap had begun: rolled forward, the undo is done
        client.sql(ref, "insert into public.t values (4)")
        client.undo(ref, "before")  # and the project takes the next one
        client.wait(ref, "ACTIVE_HEALTHY")
        assert client.sql(ref, "select id from public.t order by id") == BEFORE
        assert "failed" not in client.last_report(ref), client.last_report(ref)
    finally:
        assert again.stop()[0] == 0


@pytest.mark.parametrize("delay", [0.2, 1.0])
def test_killed_during_an_undo_leaves_old_or_new_data_and_no_wedge(
    tmp_path: Path, database_url_args: list[str], delay: float
) -> None:
    running = serve(tmp_path, database_url_args)
    client = Client(running.base_url)
    ref = a_project_with_a_point(client)
    client.undo(ref, "before")
    time.sleep(delay)
    running.process.kill()
    running.process.wait(timeout=10)

    again, client, rows = after_restart(tmp_path, database_url_args, ref)
    try:
        assert rows in (BEFORE, AFTER), rows  # restored, or the previous data intact: never a mix
        assert not list((tmp_path / "localapi" / "instances" / "projects" / ref).glob("pgdata.*")), "leftovers"
        client.undo(ref, "before")
        client.wait(ref, "ACTIVE_HEALTHY")
        assert client.sql(ref, "select id from public.t order by id") == BEFORE
        assert "failed" not in client.last_report(ref), client.last_report(ref)
    finally:
        assert again.stop()[0] == 0


def a_project_with_a_target_time(client: Client) -> tuple[str, int]:
    """A PITR project with rows 1, 2 before the target second and row 3 after it."""
    body = {"name": "Crash PITR", "organization_slug": "localorganization", "db_pass": "pw-crash-test"}
    ref = str(client.http.post("/v1/projects", json=body).json()["ref"])
    client.wait(ref, "ACTIVE_HEALTHY")
    deadline = time.monotonic() + 30
    while not (window := client.http.get(f"/v1/projects/{ref}/database/backups").json()["physical_backup_data"]):
        assert time.monotonic() < deadline, "no base backup: no PITR window"
        time.sleep(0.1)
    time.sleep(max(0.0, window["earliest_physical_backup_date_unix"] + 1 - time.time()))
    client.sql(ref, "create table public.t (id int primary key); insert into public.t values (1), (2)")
    target = int(time.time()) + 2
    time.sleep(target + 2 - time.time())
    client.sql(ref, "insert into public.t values (3)")
    return ref, target


def test_killed_during_a_pitr_leaves_old_or_new_data_and_no_wedge(tmp_path: Path, database_url_args: list[str]) -> None:
    args = [*database_url_args, "--pitr-days", "7"]
    running = serve(tmp_path, args)
    client = Client(running.base_url)
    ref, target = a_project_with_a_target_time(client)
    pitr = {"recovery_time_target_unix": target}
    response = client.http.post(f"/v1/projects/{ref}/database/backups/restore-pitr", json=pitr)
    assert response.status_code == 201, response.text
    time.sleep(0.5)
    running.process.kill()
    running.process.wait(timeout=10)

    again, client, rows = after_restart(tmp_path, args, ref)
    try:
        assert rows in (BEFORE, AFTER), rows  # recovered to the second, or the previous data: never a mix
        assert not list((tmp_path / "localapi" / "instances" / "projects" / ref).glob("pgdata.*")), "leftovers"
        response = client.http.post(f"/v1/projects/{ref}/database/backups/restore-pitr", json=pitr)
        assert response.status_code == 201, response.text
        client.wait(ref, "ACTIVE_HEALTHY")
        assert client.sql(ref, "select id from public.t order by id") == BEFORE
        assert "failed" not in client.last_report(ref), client.last_report(ref)
    finally:
        assert again.stop()[0] == 0
