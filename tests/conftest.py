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
    return json.loads(OPENAPI_PATH.read_text())


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
    """Instances an earlier (interrupted) run left: stopped, then removed (the template stays)."""
    from platformkit.localapi.instances.manager import Instances

    if not (root / "projects").is_dir():
        return
    leftovers = Instances(root)
    leftovers.close()
    shutil.rmtree(root / "projects", ignore_errors=True)


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
        token="test-token-" + secrets.token_urlsafe(16),
        status_delay_seconds=0.5,
        control_db=control_db,
        snapshot_dir=str(DATA_DIR / "snapshots"),
        functions_dir=str(DATA_DIR / "functions"),
        pitr_interval_seconds=1.0,
        query_timeout_seconds=3.0,
        instances_dir=str(DATA_DIR / "instances"),
        idle_stop_seconds=0,  # tests that scale to zero make their own API
    )
    server = LocalAPIServer(config).start()
    os.environ["PLATFORMKIT_API_URL"], os.environ["PLATFORMKIT_API_TOKEN"] = server.base_url, config.token
    settings.PLATFORMKIT["API_URL"], settings.PLATFORMKIT["API_TOKEN"] = server.base_url, config.token
    yield server
    server.stop()  # stops every instance it ran
