"""Shared fixtures: the embedded PostgreSQL cluster every test runs against.

The cluster is started here, at configure time, because pytest-django connects to it (to
create the test database) before any fixture runs. Fixtures that start the local Management
API over real HTTP live below, so every test module uses the same real pieces.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from platformkit.localapi.pgserver import PostgresLocation, start_embedded

DATA_DIR = Path(os.environ["PLATFORMKIT_DATA_DIR"])
SHARED_DIR = Path(__file__).resolve().parent.parent.parent / "shared"
# PLATFORMKIT_OPENAPI points elsewhere (a git worktree is not beside ../shared).
OPENAPI_PATH = Path(os.environ.get("PLATFORMKIT_OPENAPI") or SHARED_DIR / "supabase-management-api" / "openapi.json")

_location: PostgresLocation | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _location
    if not os.environ.get("DATABASE_URL"):
        _location = start_embedded(DATA_DIR)


@pytest.fixture(scope="session")
def pg_location() -> PostgresLocation:
    """Where the tests' PostgreSQL cluster listens (superuser access)."""
    if _location is None:
        pytest.skip("tests run against DATABASE_URL; no embedded cluster to hand out")
    return _location


@pytest.fixture(scope="session")
def openapi_document() -> dict:
    """The real API's contract, from ../shared (skipped, with the reason, when absent)."""
    import json

    if not OPENAPI_PATH.exists():
        pytest.skip(f"the OpenAPI document is not beside the checkout ({OPENAPI_PATH} is missing)")
    document = json.loads(OPENAPI_PATH.read_text())
    for path, operations in json.loads(OPENAPI_PATH.with_name("v1-delta.json").read_text())["added"].items():
        document["paths"].setdefault(path, {}).update(operations)  # the newer document's added operations
    return document


@pytest.fixture(scope="session")
def current_openapi_document() -> dict:
    """Today's contract: the stored document with ``v1-delta.json`` (beside it) applied."""
    from tests.current_document import load_current

    if not OPENAPI_PATH.exists() or not (OPENAPI_PATH.parent / "v1-delta.json").exists():
        pytest.skip(f"the OpenAPI document or its v1-delta.json is not beside the checkout ({OPENAPI_PATH.parent})")
    return load_current(OPENAPI_PATH)


def _drop_local_api_state(location: PostgresLocation, control_db: str) -> None:
    """The control database (and any old-layout project databases) left by an earlier run;
    the instances of an earlier run are stopped and removed by :func:`_remove_instances`."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(location.url(), autocommit=True) as conn:
        names = [row[0] for row in conn.execute("select datname from pg_database where datname like 'project\\_%'")]
        for name in [*names, control_db]:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        roles = [row[0] for row in conn.execute("select rolname from pg_roles where rolname like 'postgres.%'")]
        for role in roles:
            conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))


def _remove_instances(root: Path) -> None:
    """Instances of this run or an earlier (interrupted) one: stopped, then removed (the template
    stays)."""
    from platformkit.localapi.instances.manager import Instances

    for leftover in DATA_DIR.glob(".removing-*"):  # an earlier run's, should its removal have been cut short
        _rm_detached(leftover)
    if not (root / "projects").is_dir():
        return
    Instances(root).stop_all()
    _remove_in_background(root / "projects")


def _remove_in_background(folder: Path) -> None:
    """``folder`` moved aside (a rename, on the same filesystem) and removed by a detached,
    low-priority ``rm -rf``: the few hundred instances of a run are ~2,000 files and ~55 MB
    each, ~0.3 s apiece to unlink (most of the ~110 s the last test's teardown took), and
    nothing needs to wait for that disk to come back. A new run is not in its way: it starts
    from an empty ``projects`` folder."""
    import secrets

    trash = DATA_DIR / f".removing-{secrets.token_hex(6)}"
    try:
        folder.rename(trash)
    except FileNotFoundError:
        return
    _rm_detached(trash)


def _rm_detached(folder: Path) -> None:
    import subprocess

    # `sh ... &`: rm is nobody's child here, so this run neither waits for it nor warns about it;
    # at idle I/O priority where ionice exists (util-linux), so the next leg's tests come first.
    script = '{ ionice -c 3 nice -n 19 rm -rf -- "$1" || nice -n 19 rm -rf -- "$1"; } >/dev/null 2>&1 &'
    subprocess.run(
        ["sh", "-c", script, "sh", str(folder)],
        check=True,
        start_new_session=True,
        timeout=30,
    )


def _halt_instances(root: Path, *, timeout: float = 30.0) -> None:
    """Every running instance under ``root``, shut down at once in immediate mode (SIGQUIT to
    each postmaster: no shutdown checkpoint), for a directory about to be removed. Stopped one
    by one (``pg_ctl -m fast``, a checkpoint each) they took ~0.2 s apiece, tens of seconds of
    the last test's teardown for the few hundred a run leaves."""
    import signal
    import time

    from platformkit.localapi.processes import pid_exists

    pids = []
    for pid_file in (root / "projects").glob("*/pgdata/postmaster.pid"):
        try:
            pid = int(pid_file.read_text().split("\n", 1)[0])
            # A postmaster works in its data dir: a stale file's pid, now another program's, is left alone.
            if os.readlink(f"/proc/{pid}/cwd") != str(pid_file.parent.resolve()):
                continue
            os.kill(pid, signal.SIGQUIT)
        except (OSError, ValueError):
            continue  # gone meanwhile, or a half-written file: stop_all below deals with it
        pids.append((pid, pid_file))
    deadline = time.monotonic() + timeout
    while pids and time.monotonic() < deadline:
        pids = [(pid, pid_file) for pid, pid_file in pids if pid_file.exists() and pid_exists(pid)]
        time.sleep(0.05)


def project_admin_url(server, ref: str) -> str:
    """A superuser connection to a project's instance (tests looking behind the API)."""
    return server.api.instances.instance(ref).admin_conninfo()


def tenant_sql(server, ref: str, statement: str) -> list[tuple]:
    """Run ``statement`` in a project's (or branch's) instance as its tenant role ``postgres``
    (what it makes belongs to the tenant, as if made with psql and the db_pass), behind the
    API's back; the instance is started when it was stopped as idle."""
    import psycopg

    with (
        server.api.instances.using(ref) as instance,
        psycopg.connect(instance.admin_conninfo(), autocommit=True) as conn,
    ):
        conn.execute("set role postgres")
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture(scope="session")
def localapi(pg_location: PostgresLocation):
    """The local Management API over real HTTP on loopback, fresh for this run, with the
    site's settings (and any subprocess's environment) pointed at it."""
    import secrets

    from django.conf import settings

    from platformkit.localapi.config import LocalAPIConfig
    from platformkit.localapi.server import LocalAPIServer

    control_db = "platformkit_localapi_test"
    _drop_local_api_state(pg_location, control_db)
    _remove_instances(DATA_DIR / "instances")
    shutil.rmtree(DATA_DIR / "functions", ignore_errors=True)  # bundles of an earlier run's projects
    config = LocalAPIConfig(
        database_url=pg_location.url(),
        token="sbp_" + secrets.token_hex(20),  # shaped as the CLI requires (tests/clients)
        status_delay_seconds=0.5,
        control_db=control_db,
        snapshot_dir=str(DATA_DIR / "snapshots"),
        functions_dir=str(DATA_DIR / "functions"),
        query_timeout_seconds=3.0,
        # One token and a few projects serve the whole suite: the documented 120/min would only
        # make it wait. tests/localapi/test_rate_limits.py runs its own server with small budgets.
        rate_limit_per_window=1_000_000,
        rate_limit_logs_per_window=1_000_000,
        instances_dir=str(DATA_DIR / "instances"),
        idle_stop_seconds=0,  # tests that scale to zero make their own API
    )
    server = LocalAPIServer(config).start()
    os.environ["PLATFORMKIT_API_URL"], os.environ["PLATFORMKIT_API_TOKEN"] = server.base_url, config.token
    settings.PLATFORMKIT["API_URL"], settings.PLATFORMKIT["API_TOKEN"] = server.base_url, config.token
    yield server
    _halt_instances(DATA_DIR / "instances")  # the run is over and its instances are removed below
    server.stop()
    # Each project is an instance with its data dir, base backup and WAL archive (tens of MB);
    # a run makes hundreds: give the disk back once they are stopped (a new run starts fresh).
    # (Stopped whoever started them: a subprocess API a test killed leaves its servers running.)
    _remove_instances(DATA_DIR / "instances")


@pytest.fixture
def empty_localapi(localapi, pg_location: PostgresLocation):
    """A second local API over the suite's PostgreSQL and instance directory with a control
    database of its own, so it lists no project yet (the suite's API holds hundreds by then, and
    deleting them one by one to get an empty list took ~100 s). Stopped after the test; the
    instances it made go with the suite's at the end of the run."""
    import secrets

    from platformkit.localapi.config import LocalAPIConfig
    from platformkit.localapi.server import LocalAPIServer

    control_db = "platformkit_localapi_empty"
    _drop_local_api_state(pg_location, control_db)
    config = LocalAPIConfig(
        database_url=pg_location.url(),
        token="sbp_" + secrets.token_hex(20),
        status_delay_seconds=localapi.config.status_delay_seconds,
        control_db=control_db,
        snapshot_dir=str(DATA_DIR / "snapshots"),
        functions_dir=str(DATA_DIR / "functions"),
        rate_limit_per_window=1_000_000,
        rate_limit_logs_per_window=1_000_000,
        instances_dir=localapi.config.instances_dir,
        idle_stop_seconds=0,
    )
    server = LocalAPIServer(config).start()
    yield server
    server.stop()


@pytest.fixture
def limited_localapi(localapi, pg_location: PostgresLocation):
    """Start a second local API on the suite's records with small rate-limit budgets:
    ``limited_localapi(standard=5, logs=2, window=60.0)`` (each stopped after the test)."""
    import secrets

    from platformkit.localapi.config import LocalAPIConfig
    from platformkit.localapi.server import LocalAPIServer

    servers: list[LocalAPIServer] = []

    def start(standard: int = 5, logs: int = 2, window: float = 60.0, latency: float = 0.0) -> LocalAPIServer:
        config = LocalAPIConfig(
            database_url=pg_location.url(),
            token="limited-" + secrets.token_urlsafe(12),
            control_db=localapi.config.control_db,
            latency_seconds=latency,
            rate_limit_per_window=standard,
            rate_limit_logs_per_window=logs,
            rate_limit_window_seconds=window,
            # The suite's projects: the same instances (a second server over them, not new ones).
            instances_dir=localapi.config.instances_dir,
            idle_stop_seconds=0,
        )
        server = LocalAPIServer(config).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
