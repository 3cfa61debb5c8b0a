"""The pooler endpoint: one loopback port for every project, routing by the user
``postgres.<ref>`` as Supavisor's session mode does. psql and psycopg log in through it with the
project's db_pass and land in that project's own instance; wrong passwords, another project's
ref and unknown users are refused with a FATAL; a stopped instance is woken by a connection,
and an open session keeps it from being stopped as idle."""

from __future__ import annotations

import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import psycopg
import pytest

from platformkit.localapi.recovery.binaries import find_binary
from platformkit.localapi.server import LocalAPIServer
from tests.localapi.conftest import PROJECT_BODY, own_config, wait_for_status
from tests.localapi.test_branches import sql

IDLE_STOP_SECONDS = 1.0


@pytest.fixture(scope="module")
def server(localapi: Any, pg_location: Any) -> Iterator[LocalAPIServer]:
    """A local API of this module's own, with a pooler on a free port and a short idle stop."""
    config = own_config(
        localapi, pg_location, "platformkit_localapi_pooler", idle_stop_seconds=IDLE_STOP_SECONDS, pooler_port=0
    )
    started = LocalAPIServer(config).start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def api(server: LocalAPIServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}, timeout=30) as c:
        yield c


def make_project(api: httpx.Client, marker: str) -> tuple[str, str]:
    """A project with its own password and a table holding ``marker`` (made through the API)."""
    password = f"pw-{marker}-" + secrets.token_urlsafe(9)
    created = api.post("/v1/projects", json={**PROJECT_BODY, "name": marker, "db_pass": password})
    assert created.status_code == 201, created.text
    ref = wait_for_status(api, created.json()["ref"], "ACTIVE_HEALTHY")["ref"]
    sql(api, ref, f"create table public.marker (v text); insert into public.marker values ('{marker}')")
    return ref, password


@pytest.fixture(scope="module")
def two(api: httpx.Client) -> dict[str, tuple[str, str]]:
    return {marker: make_project(api, marker) for marker in ("alpha", "beta")}


def pooled(server: LocalAPIServer, user: str, password: str, **extra: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host="127.0.0.1",
        port=server.pooler_port,
        user=user,
        password=password,
        dbname="postgres",
        connect_timeout=10,
        autocommit=True,
        **extra,
    )


def test_psql_and_psycopg_reach_the_projects_own_instance(
    server: LocalAPIServer, api: httpx.Client, two: dict[str, tuple[str, str]]
) -> None:
    ref, password = two["alpha"]
    port = server.pooler_port
    # What the API reports is the string that works (the password put where the placeholder is).
    [config] = api.get(f"/v1/projects/{ref}/config/database/pooler").json()
    assert config["db_port"] == port and config["db_user"] == f"postgres.{ref}" and config["pool_mode"] == "session"
    template = f"postgresql://postgres.{ref}:[YOUR-PASSWORD]@127.0.0.1:{port}/postgres"
    assert config["connection_string"] == template == server.api.projects.connection_strings(ref)["pooler"]
    url = template.replace("[YOUR-PASSWORD]", quote(password, safe=""))

    done = subprocess.run(
        [find_binary("psql"), url, "-XAt", "-c", "select v, current_user, inet_server_port() from public.marker"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    instance_port = server.api.instances.instance(ref).port
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"alpha|postgres|{instance_port}"

    with psycopg.connect(url, connect_timeout=10, application_name="pooler-test") as conn:
        row = conn.execute("select v, current_user, current_setting('application_name') from public.marker").fetchone()
    assert row == ("alpha", "postgres", "pooler-test")  # the startup's other parameters pass through


def test_two_projects_at_once_through_one_port_stay_separate(
    server: LocalAPIServer, two: dict[str, tuple[str, str]]
) -> None:
    (alpha, alpha_pw), (beta, beta_pw) = two["alpha"], two["beta"]
    with pooled(server, f"postgres.{alpha}", alpha_pw) as a, pooled(server, f"postgres.{beta}", beta_pw) as b:
        a.execute("create temp table mine (v int)")  # session state stays with its own session
        assert a.execute("select v from public.marker").fetchall() == [("alpha",)]
        assert b.execute("select v from public.marker").fetchall() == [("beta",)]
        with pytest.raises(psycopg.errors.UndefinedTable):
            b.execute("select * from mine")
    # One project's password does not open the other.
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        pooled(server, f"postgres.{beta}", alpha_pw)


def test_wrong_password_and_unknown_users_are_refused_with_a_fatal(
    server: LocalAPIServer, two: dict[str, tuple[str, str]]
) -> None:
    ref, password = two["alpha"]
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        pooled(server, f"postgres.{ref}", password + "x")
    for user in ("postgres", f"supabase_admin.{ref}", f"platformkit_sql.{ref}", "postgres.abcdefghijklmnopqrst"):
        with pytest.raises(psycopg.OperationalError, match="FATAL:  Tenant or user not found"):
            pooled(server, user, password)
    done = subprocess.run(
        [
            find_binary("psql"),
            f"postgresql://nobody:{quote(password)}@127.0.0.1:{server.pooler_port}/postgres",
            "-c",
            "",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode != 0 and "FATAL:  Tenant or user not found" in done.stderr


def test_a_stopped_instance_is_woken_and_an_open_session_keeps_it_running(
    server: LocalAPIServer, two: dict[str, tuple[str, str]]
) -> None:
    ref, password = two["beta"]
    instance = server.api.instances.instance(ref)
    server.api.instances.stop(ref)  # as the idle stop does
    assert not instance.is_running()
    with pooled(server, f"postgres.{ref}", password) as conn:
        assert instance.is_running()
        # Open, unused for longer than the idle stop: the instance stays up for the session.
        time.sleep(IDLE_STOP_SECONDS * 2.5)
        assert conn.execute("select v from public.marker").fetchall() == [("beta",)]
        assert instance.is_running()
    deadline = time.monotonic() + 10
    while instance.is_running():  # once the session has ended it is idle like any other
        assert time.monotonic() < deadline, "the instance never stopped after its last session ended"
        time.sleep(0.1)


def test_a_cancel_request_reaches_the_sessions_instance(
    server: LocalAPIServer, two: dict[str, tuple[str, str]]
) -> None:
    ref, password = two["alpha"]
    with pooled(server, f"postgres.{ref}", password) as conn:
        timer = threading.Timer(0.5, conn.cancel_safe)
        timer.start()
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute("select pg_sleep(20)")
        timer.join()
        assert time.monotonic() - started < 10
        assert conn.execute("select 1").fetchone() == (1,)  # the session goes on


def test_without_a_pooler_the_config_is_an_empty_list(
    http: httpx.Client, localapi: Any, active_project: dict[str, Any], openapi_document: dict[str, Any]
) -> None:
    ref = active_project["ref"]
    assert localapi.pooler_port is None
    assert http.get(f"/v1/projects/{ref}/config/database/pooler").json() == []
    assert set(localapi.api.projects.connection_strings(ref)) == {"direct"}
    assert http.get("/v1/projects/abcdefghijklmnopqrst/config/database/pooler").status_code == 404


def test_the_config_has_the_documented_fields(
    api: httpx.Client, two: dict[str, tuple[str, str]], openapi_document: dict[str, Any]
) -> None:
    ref, _ = two["alpha"]
    schema = openapi_document["components"]["schemas"]["SupavisorConfigResponse"]
    [config] = api.get(f"/v1/projects/{ref}/config/database/pooler").json()
    assert set(config) == set(schema["required"])
    assert config["database_type"] == "PRIMARY" and config["is_using_scram_auth"] is True
    assert config["db_host"] == "127.0.0.1" and config["db_name"] == "postgres"
