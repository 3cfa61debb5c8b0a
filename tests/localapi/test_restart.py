"""State lives in the control database: a new server on it sees what the old one made, and
finishes a layout the old one was stopped in the middle of."""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql

from platformkit.localapi.config import LocalAPIConfig
from platformkit.localapi.server import LocalAPIServer
from tests.localapi.conftest import PROJECT_BODY, wait_for_status


@pytest.fixture
def own_config(localapi: Any, pg_location: Any) -> Any:
    """A control database of this test's own, so stopping its server disturbs no one else."""
    control_db = "platformkit_localapi_restart"
    with psycopg.connect(pg_location.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(control_db)))
    # Its own instances too: a stopping server stops every instance of its directory.
    instances_dir = Path(localapi.config.instances_path()).parent / "instances-restart"
    return dataclasses.replace(
        localapi.config,
        control_db=control_db,
        token="restart-" + secrets.token_urlsafe(8),
        instances_dir=str(instances_dir),
    )


def client(server: LocalAPIServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}, timeout=15)


def test_projects_and_organizations_survive_a_restart(own_config: LocalAPIConfig) -> None:
    first = LocalAPIServer(own_config).start()
    with client(first) as http:
        slug = http.post("/v1/organizations", json={"name": "Survivor"}).json()["slug"]
        ref = http.post("/v1/projects", json={**PROJECT_BODY, "organization_slug": slug}).json()["ref"]
        wait_for_status(http, ref, "ACTIVE_HEALTHY")
        http.patch(f"/v1/projects/{ref}", json={"name": "Still here"})
    first.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(first.base_url + "/v1/projects", timeout=2)

    second = LocalAPIServer(own_config).start()
    try:
        with client(second) as http:
            project = http.get(f"/v1/projects/{ref}").json()
            assert (project["name"], project["status"], project["organization_slug"]) == (
                "Still here",
                "ACTIVE_HEALTHY",
                slug,
            )
            assert slug in [org["slug"] for org in http.get("/v1/organizations").json()]
            assert http.get("/v1/projects/available-regions", params={"organization_slug": slug}).status_code == 200
    finally:
        second.stop()


def test_a_status_change_started_before_a_restart_completes_after_it(own_config: LocalAPIConfig) -> None:
    # Long enough to outlast a stop and a start on a starved machine (1.5 s did not, in CI).
    slow = dataclasses.replace(own_config, status_delay_seconds=6)
    first = LocalAPIServer(slow).start()
    with client(first) as http:
        ref = http.post("/v1/projects", json=PROJECT_BODY).json()["ref"]
    first.stop()

    second = LocalAPIServer(slow).start()
    try:
        with client(second) as http:
            assert http.get(f"/v1/projects/{ref}").json()["status"] == "COMING_UP"
            wait_for_status(http, ref, "ACTIVE_HEALTHY")
    finally:
        second.stop()


def test_an_unfinished_layout_is_finished_by_the_next_server(own_config: LocalAPIConfig) -> None:
    from platformkit.localapi.instances.manager import Instances
    from platformkit.localapi.store import Store

    # As if a server died after making the instance but before settling the project's status.
    store = Store(own_config.database_url, own_config.control_db)
    store.migrate()
    ref = "restartlayoutaaaaaaa"
    store.add_project(
        ref=ref, organization_slug="localorganization", name="Half made", region="us-east-1", instance_size="nano"
    )
    instances = Instances(own_config.instances_path())
    instances.create(ref, "pw-half-made", "nano")
    instances.close()

    server = LocalAPIServer(own_config).start()
    try:
        with client(server) as http:
            wait_for_status(http, ref, "ACTIVE_HEALTHY")
        # Started for the check: the instance may be stopped by then (the closed object above
        # stopped it; only a call or a pooler connection starts one, not a direct connection).
        with (
            server.api.instances.using(ref) as instance,
            psycopg.connect(instance.direct_url("pw-half-made")) as conn,
        ):
            assert conn.execute("select to_regclass('auth.users') is not null").fetchone() == (True,)
    finally:
        server.stop()


def test_a_closed_instances_object_starts_no_instance_any_more(own_config: LocalAPIConfig) -> None:
    """Seen in CI: an Instances object's first-backup thread, still running after close(),
    started the instance again behind the next local API's back, which then lost it."""
    from platformkit.localapi.errors import Problem
    from platformkit.localapi.instances.manager import Instances

    instances = Instances(own_config.instances_path())
    instances.create("restartclosedaaaaaaa", "pw-closed", "nano")
    instances.close()
    with pytest.raises(Problem) as refused:
        instances.running("restartclosedaaaaaaa")
    assert refused.value.status == 503 and not instances.instance("restartclosedaaaaaaa").is_running()


def test_an_instance_cut_short_mid_creation_is_init_failed(own_config: LocalAPIConfig) -> None:
    from platformkit.localapi.instances.manager import Instances
    from platformkit.localapi.store import Store

    store = Store(own_config.database_url, own_config.control_db)
    store.migrate()
    ref = "restartcreatingaaaaa"
    store.add_project(
        ref=ref, organization_slug="localorganization", name="Cut short", region="us-east-1", instance_size="nano"
    )
    instances = Instances(own_config.instances_path())
    instances.create(ref, "pw-cut-short", "nano")
    instances.instance(ref).write_meta(state="creating")  # as before the tenant's password was set
    instances.close()

    server = LocalAPIServer(own_config).start()
    try:
        with client(server) as http:
            wait_for_status(http, ref, "INIT_FAILED")
            query = http.post(f"/v1/projects/{ref}/database/query", json={"query": "select 1"})
            assert query.status_code == 400 and "no database instance" in query.json()["message"]
    finally:
        server.stop()


def test_a_failed_layout_is_init_failed(own_config: LocalAPIConfig) -> None:
    from platformkit.localapi.store import Store

    # A project recorded but whose database never came to be: laying it out cannot succeed.
    store = Store(own_config.database_url, own_config.control_db)
    store.migrate()
    ref = "restartfailedaaaaaaa"
    store.add_project(
        ref=ref, organization_slug="localorganization", name="Never made", region="us-east-1", instance_size="nano"
    )

    server = LocalAPIServer(own_config).start()
    try:
        with client(server) as http:
            wait_for_status(http, ref, "INIT_FAILED")
            db = http.get(f"/v1/projects/{ref}/health", params={"services": "db"}).json()[0]
            assert db["status"] == "UNHEALTHY" and "no database instance" in db["error"]
    finally:
        server.stop()


def test_a_branch_run_cut_short_by_a_restart_ends_dead_and_reset_recovers(own_config: LocalAPIConfig) -> None:
    from tests.localapi.test_branches import make_branch, wait_run

    first = LocalAPIServer(own_config).start()
    with client(first) as http:
        ref = wait_for_status(http, http.post("/v1/projects", json=PROJECT_BODY).json()["ref"], "ACTIVE_HEALTHY")["ref"]
        dev = make_branch(http, ref, "interrupted")["project_ref"]
    first.stop()
    # As if the server had died in the middle of the clone an hour ago.
    url = psycopg.conninfo.make_conninfo(own_config.database_url, dbname=own_config.control_db)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "update action_runs"
            " set steps = jsonb_set(jsonb_set(steps, '{0,status}', '\"RUNNING\"'), '{1,status}', '\"CREATED\"'),"
            " updated_at = now() - interval '1 hour' where project_ref = %s",
            (dev,),
        )
        conn.execute("update projects set status = 'COMING_UP' where ref = %s", (dev,))
    second = LocalAPIServer(own_config).start()
    try:
        with client(second) as http:
            run = http.get(f"/v1/projects/{dev}/actions").json()[0]
            assert [step["status"] for step in run["run_steps"]] == ["DEAD", "DEAD", "EXITED"]
            assert "interrupted" in http.get(f"/v1/projects/{dev}/actions/{run['id']}/logs").text
            assert http.get(f"/v1/projects/{dev}").json()["status"] == "INIT_FAILED"
            reset = http.post(f"/v1/branches/{dev}/reset")
            assert reset.status_code == 201, reset.text
            assert {step["status"] for step in wait_run(http, dev, reset.json()["workflow_run_id"])["run_steps"]} == {
                "EXITED"
            }
            wait_for_status(http, dev, "ACTIVE_HEALTHY")
    finally:
        second.stop()


def identity_in(*prefix: str) -> str:
    """What a local API process started with ``prefix`` (e.g. in a PID namespace of its own)
    records as a run's runner; the process has exited when this returns."""
    import subprocess
    import sys

    code = "from platformkit.localapi import processes; print(processes.identity())"
    try:
        done = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        pytest.skip(f"{prefix[0]} is not installed")
    if done.returncode != 0:
        pytest.skip(f"cannot run a process with {prefix}: {done.stderr.strip()[-200:]}")
    return done.stdout.strip()


def test_a_run_of_another_pid_namespace_is_not_ended_by_a_restart(own_config: LocalAPIConfig) -> None:
    """A container sharing this hostname but not this PID namespace: its pid means nothing
    here (its pid 1 is not ours), so its in-flight run is left alone; a run of a process of
    this namespace that is gone is ended DEAD."""
    from tests.localapi.test_branches import make_branch

    elsewhere = identity_in("unshare", "--pid", "--fork", "--mount-proc")
    here = identity_in()
    first = LocalAPIServer(own_config).start()
    with client(first) as http:
        ref = wait_for_status(http, http.post("/v1/projects", json=PROJECT_BODY).json()["ref"], "ACTIVE_HEALTHY")["ref"]
        theirs = make_branch(http, ref, "theirs")["project_ref"]
        ours = make_branch(http, ref, "ours")["project_ref"]
    first.stop()
    url = psycopg.conninfo.make_conninfo(own_config.database_url, dbname=own_config.control_db)
    with psycopg.connect(url, autocommit=True) as conn:
        for dev, runner in ((theirs, elsewhere), (ours, here)):
            conn.execute(  # a clone in flight, its step updated just now
                "update action_runs set steps = jsonb_set(steps, '{0,status}', '\"RUNNING\"'),"
                " runner = %s, updated_at = now() where project_ref = %s",
                (runner, dev),
            )
    second = LocalAPIServer(own_config).start()
    try:
        with client(second) as http:
            steps = {
                dev: [step["status"] for step in http.get(f"/v1/projects/{dev}/actions").json()[0]["run_steps"]]
                for dev in (theirs, ours)
            }
            assert steps[theirs][0] == "RUNNING", steps  # not judged: another namespace's process
            assert steps[ours][0] == "DEAD", steps  # this namespace's process, gone
    finally:
        second.stop()
