"""A local API killed (SIGKILL) during a merge, a branch creation or a resize, as a real process
over its own data dir (issue 15's crash tests): after a restart nothing is lost and nothing is
wedged. A merge is applied to production fully or not at all; a branch ends failed (and
resettable) or healthy, never COMING_UP for ever; a resize ends at one size, running it, with
its data."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from platformkit.localapi.instances.sizes import settings_for
from platformkit.localapi.recovery.postmaster import postmaster_pid
from platformkit.localapi.recovery.swap import CRASH_ENV
from tests.localapi.test_command import (  # noqa: F401 (fixtures)
    _no_server_outlives_its_test,
    database_url_args,
)
from tests.localapi.test_restore_crash import Client, serve

SETTLED = ("EXITED", "DEAD")


@pytest.fixture(autouse=True)
def _no_instance_outlives_its_test(tmp_path: Path) -> Iterator[None]:
    """The instances a killed server left running (their postmasters are not its children)."""
    yield
    for pid_file in tmp_path.glob("localapi/instances/projects/*/*/postmaster.pid"):
        pid = postmaster_pid(pid_file.parent)
        if pid is not None:
            os.kill(pid, signal.SIGQUIT)  # immediate shutdown (pg_ctl cannot reach into tmp_path as their owner)


@pytest.fixture
def args(database_url_args: list[str]) -> list[str]:
    return [*database_url_args, "--rate-limit", "100000"]  # these tests poll run steps


def a_project(client: Client, rows: int = 2) -> str:
    body = {"name": "Crash", "organization_slug": "localorganization", "db_pass": "pw-crash-test"}
    ref = str(client.http.post("/v1/projects", json=body).json()["ref"])
    client.wait(ref, "ACTIVE_HEALTHY")
    migrate(
        client,
        ref,
        f"create table public.t (id int primary key); insert into public.t select generate_series(1, {rows})",
        "t",
    )
    return ref


def migrate(client: Client, ref: str, query: str, name: str) -> None:
    response = client.http.post(f"/v1/projects/{ref}/database/migrations", json={"query": query, "name": name})
    assert response.status_code == 200, response.text


def migrations(client: Client, ref: str) -> list[str]:
    return [str(row["name"]) for row in client.http.get(f"/v1/projects/{ref}/database/migrations").json()]


def tables(client: Client, ref: str) -> list[str]:
    rows = client.sql(ref, "select tablename from pg_tables where schemaname = 'public' order by 1")
    return [str(row["tablename"]) for row in rows]


def run_steps(client: Client, ref: str, run_id: str) -> list[str]:
    response = client.http.get(f"/v1/projects/{ref}/actions/{run_id}")
    assert response.status_code == 200, response.text
    return [str(step["status"]) for step in response.json()["run_steps"]]


def settled_run(client: Client, ref: str, run_id: str, timeout: float = 60) -> list[str]:
    """The run's steps once none is CREATED or RUNNING (a run of a killed server ends at once)."""
    deadline = time.monotonic() + timeout
    while not set(steps := run_steps(client, ref, run_id)) <= set(SETTLED) or steps[-1] == "CREATED":
        if "DEAD" in steps and "RUNNING" not in steps:
            break
        assert time.monotonic() < deadline, f"run {run_id} stayed {steps}"
        time.sleep(0.1)
    return steps


def wait_status(client: Client, ref: str, statuses: tuple[str, ...], timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while (status := client.http.get(f"/v1/projects/{ref}").json()["status"]) not in statuses:
        assert time.monotonic() < deadline, f"{ref} stayed {status}"
        time.sleep(0.1)
    return str(status)


def a_branch(client: Client, parent: str, name: str, **fields: Any) -> tuple[str, str]:
    response = client.http.post(f"/v1/projects/{parent}/branches", json={"branch_name": name, **fields})
    assert response.status_code == 201, response.text
    ref = str(response.json()["project_ref"])
    return ref, str(client.http.get(f"/v1/projects/{ref}/actions").json()[0]["id"])


def kill(running: Any) -> None:
    running.process.kill()
    running.process.wait(timeout=10)


def a_project_and_a_branch_with_a_migration(client: Client) -> tuple[str, str]:
    """A project (table t) and its branch "feature", made and healthy, with migration a."""
    production = a_project(client)
    branch, run = a_branch(client, production, "feature")
    assert settled_run(client, branch, run) == ["EXITED"] * 3
    client.wait(branch, "ACTIVE_HEALTHY")
    migrate(client, branch, "create table public.a (id int)", "a")
    return production, branch


def test_killed_during_a_merge_applies_it_fully_or_not_at_all(tmp_path: Path, args: list[str]) -> None:
    running = serve(tmp_path, args)
    client = Client(running.base_url)
    production, branch = a_project_and_a_branch_with_a_migration(client)
    # The merge's transaction is still open 1 s in: the kill lands between its statements.
    migrate(client, branch, "select pg_sleep(3); create table public.b (id int)", "b")
    response = client.http.post(f"/v1/branches/{branch}/merge", json={})
    assert response.status_code == 201, response.text
    merge = response.json()["workflow_run_id"]
    time.sleep(1.0)
    kill(running)

    again = serve(tmp_path, args)
    client = Client(again.base_url)
    try:
        client.wait(production, "ACTIVE_HEALTHY")
        steps = settled_run(client, branch, merge, timeout=30)  # not RUNNING until some stale timeout
        assert "RUNNING" not in steps and "CREATED" not in steps[:2], steps
        assert "interrupted" in client.http.get(f"/v1/projects/{branch}/actions/{merge}/logs").text
        applied = migrations(client, production)
        assert applied in (["t"], ["t", "a", "b"]), applied  # all of the merge or none of it
        assert tables(client, production) == (["t"] if applied == ["t"] else ["a", "b", "t"])
        assert client.sql(production, "select count(*) as n from public.t") == [{"n": 2}]
        # The branch is not wedged: the merge runs again and completes.
        response = client.http.post(f"/v1/branches/{branch}/merge", json={})
        assert response.status_code == 201, response.text
        assert settled_run(client, branch, response.json()["workflow_run_id"]) == ["EXITED"] * 3
        assert migrations(client, production) == ["t", "a", "b"]
        assert tables(client, production) == ["a", "b", "t"]
    finally:
        assert again.stop()[0] == 0


def test_a_merge_killed_after_its_commit_is_finished_at_start_not_failed(tmp_path: Path, args: list[str]) -> None:
    """Killed (crash point ``merge-committed``) once production's transaction committed and
    before the merge hooks ran: production has the migrations, so the run is finished at start
    (its deploy step, promoting the branch's functions, runs then), not left DEAD and failed."""
    running = serve(tmp_path, args, {CRASH_ENV: "merge-committed"})
    client = Client(running.base_url)
    production, branch = a_project_and_a_branch_with_a_migration(client)
    function = {"slug": "hello", "name": "Hello", "body": "Deno.serve(() => new Response('hi'))"}
    assert client.http.post(f"/v1/projects/{branch}/functions", json=function).status_code == 201
    response = client.http.post(f"/v1/branches/{branch}/merge", json={})
    assert response.status_code == 201, response.text
    merge = response.json()["workflow_run_id"]
    running.process.wait(timeout=60)  # the engine kills the process right after the commit
    assert running.process.returncode == -signal.SIGKILL

    again = serve(tmp_path, args)
    client = Client(again.base_url)
    try:
        assert settled_run(client, branch, merge) == ["EXITED"] * 3
        assert "committed" in client.http.get(f"/v1/projects/{branch}/actions/{merge}/logs").text
        listed = client.http.get(f"/v1/projects/{production}/branches").json()
        assert [b["status"] for b in listed if b["project_ref"] == branch] == ["MIGRATIONS_PASSED"]
        assert migrations(client, production) == ["t", "a"]
        assert tables(client, production) == ["a", "t"]
        assert client.http.get(f"/v1/projects/{production}/functions/hello").status_code == 200  # the hook ran
        # A merge called again has nothing left to do, and succeeds.
        response = client.http.post(f"/v1/branches/{branch}/merge", json={})
        assert settled_run(client, branch, response.json()["workflow_run_id"]) == ["EXITED"] * 3
        assert migrations(client, production) == ["t", "a"]
    finally:
        assert again.stop()[0] == 0


@pytest.mark.parametrize("delay", [0.3, 1.5])
def test_killed_while_a_branch_is_created_ends_failed_and_resettable_or_healthy(
    tmp_path: Path, args: list[str], delay: float
) -> None:
    running = serve(tmp_path, args)
    client = Client(running.base_url)
    production = a_project(client, rows=200_000)  # a clone that takes a moment
    branch, run = a_branch(client, production, "dev", with_data=True)
    time.sleep(delay)
    kill(running)

    again = serve(tmp_path, args)
    client = Client(again.base_url)
    try:
        status = wait_status(client, branch, ("INIT_FAILED", "ACTIVE_HEALTHY"))
        steps = settled_run(client, branch, run, timeout=5)
        assert "RUNNING" not in steps, steps
        if status == "INIT_FAILED":
            response = client.http.post(f"/v1/branches/{branch}/reset", json={})
            assert response.status_code == 201, response.text
            assert settled_run(client, branch, response.json()["workflow_run_id"]) == ["EXITED"] * 3
            client.wait(branch, "ACTIVE_HEALTHY")
        assert client.sql(branch, "select count(*) as n from public.t") == [{"n": 200_000}]
        assert client.sql(production, "select count(*) as n from public.t") == [{"n": 200_000}]
        assert migrations(client, branch) == ["t"]
    finally:
        assert again.stop()[0] == 0


def resize(client: Client, ref: str, size: str) -> None:
    body = {"addon_type": "compute_instance", "addon_variant": f"ci_{size}"}
    response = client.http.patch(f"/v1/projects/{ref}/billing/addons", json=body)
    assert response.status_code == 200, response.text


def runs_at_one_size(client: Client, ref: str) -> str:
    """The size the API reports, which the instance really runs with (asked as the tenant)."""
    selected = client.http.get(f"/v1/projects/{ref}/billing/addons").json()["selected_addons"]
    chosen = [str(addon["variant"]["id"])[3:] for addon in selected if addon["type"] == "compute_instance"]
    size = chosen[0] if chosen else "nano"  # the plan's base size is no add-on
    wanted = settings_for(size)
    got = client.sql(ref, "select current_setting('max_connections') as m, current_setting('shared_buffers') as s")
    assert got == [{"m": str(wanted.max_connections), "s": wanted.shared_buffers}], (size, got)
    return size


@pytest.mark.parametrize("where", ["crash point", "timed"])
def test_killed_during_a_resize_ends_at_one_size_running_with_its_data(
    tmp_path: Path, args: list[str], where: str
) -> None:
    env = {CRASH_ENV: "resize-stopped"} if where == "crash point" else {}
    running = serve(tmp_path, args, env)
    client = Client(running.base_url)
    ref = a_project(client)
    assert runs_at_one_size(client, ref) == "nano"
    if where == "crash point":  # the engine kills the process between the stop and the start
        request = threading.Thread(target=_quietly, args=(resize, client, ref, "medium"), daemon=True)
        request.start()
        running.process.wait(timeout=60)
        assert running.process.returncode == -signal.SIGKILL
    else:
        request = threading.Thread(target=_quietly, args=(resize, client, ref, "medium"), daemon=True)
        request.start()
        time.sleep(0.15)
        kill(running)

    again = serve(tmp_path, args)
    client = Client(again.base_url)
    try:
        client.wait(ref, "ACTIVE_HEALTHY", timeout=30)  # not RESIZING for ever
        assert runs_at_one_size(client, ref) in ("nano", "medium")
        assert client.sql(ref, "select count(*) as n from public.t") == [{"n": 2}]
        resize(client, ref, "small")  # and the next resize works
        client.wait(ref, "ACTIVE_HEALTHY", timeout=30)
        assert runs_at_one_size(client, ref) == "small"
    finally:
        assert again.stop()[0] == 0


def _quietly(call: Any, *args: Any) -> None:
    with contextlib.suppress(Exception):  # the server died under the request: that is the test
        call(*args)
