"""The exploit of issue 15, against the instance model: a tenant's CHECK constraint whose
function tries ``ALTER ROLE postgres SUPERUSER`` (a pg_restore as the superuser once evaluated
it for every row loaded). Undo, PITR and with-data branches are physical now (WAL replay, a
page copy): the function is not evaluated at all, so ``ran_as`` holds only the tenant's own
inserts, and the tenant stays the tenant. The tenant's credentials reach its own instance only,
never the control state or the dashboard's database."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import tenant_sql
from tests.localapi.conftest import PROJECT_BODY, wait_for_status, wait_until_available
from tests.localapi.test_branches import make_branch, sql

# The function records who evaluated it and with which rights, then tries to become superuser
# (swallowing the refusal, so the load goes on: the test sees the whole restore run it).
ESCALATE = """
create table public.ran_as (who text, superuser text, app text default current_setting('application_name'));
grant insert on public.ran_as to public;
create function public.escalate(v int) returns boolean language plpgsql as $$
begin
  insert into public.ran_as (who, superuser) values (current_user, current_setting('is_superuser'));
  begin
    execute 'alter role postgres superuser';
  exception when insufficient_privilege then null;
  end;
  return true;
end $$;
create table public.guarded (v int check (public.escalate(v)));
insert into public.guarded values (1), (2);
"""


def superusers(localapi: Any, ref: str) -> list[tuple[Any, ...]]:
    return tenant_sql(localapi, ref, "select rolname from pg_roles where rolsuper order by 1")


def evaluations(localapi: Any, ref: str) -> list[tuple[Any, ...]]:
    return tenant_sql(localapi, ref, "select who, superuser from public.ran_as")


def test_undo_runs_no_tenant_code(http: httpx.Client, localapi: Any, active_project: dict[str, Any]) -> None:
    ref = active_project["ref"]
    sql(http, ref, ESCALATE)
    assert evaluations(localapi, ref) == [("postgres", "off")] * 2  # the tenant's own two inserts
    created = http.post(f"/v1/projects/{ref}/database/backups/restore-point", json={"name": "trap"})
    assert created.status_code == 201, created.text
    assert wait_until_available(http, ref, "trap")["status"] == "AVAILABLE"
    sql(http, ref, "insert into public.guarded values (3)")

    undo = http.post(f"/v1/projects/{ref}/database/backups/undo", json={"name": "trap"})
    assert undo.status_code == 201, undo.text
    wait_for_status(http, ref, "ACTIVE_HEALTHY", timeout=60)

    assert sql(http, ref, "select v from public.guarded order by v") == [{"v": 1}, {"v": 2}]
    assert evaluations(localapi, ref) == [("postgres", "off")] * 2  # as at the point: nothing ran since
    assert superusers(localapi, ref) == [("supabase_admin",)]


def test_pitr_runs_no_tenant_code(http: httpx.Client, localapi: Any, active_project: dict[str, Any]) -> None:
    import time

    ref = active_project["ref"]
    localapi.api.backups.set_pitr(ref, 7)
    sql(http, ref, ESCALATE)
    time.sleep(1.1)
    target = int(time.time())
    time.sleep(1.1)
    sql(http, ref, "insert into public.guarded values (3)")
    pitr = http.post(f"/v1/projects/{ref}/database/backups/restore-pitr", json={"recovery_time_target_unix": target})
    assert pitr.status_code == 201, pitr.text
    wait_for_status(http, ref, "ACTIVE_HEALTHY", timeout=60)

    assert sql(http, ref, "select v from public.guarded order by v") == [{"v": 1}, {"v": 2}]
    assert evaluations(localapi, ref) == [("postgres", "off")] * 2
    assert superusers(localapi, ref) == [("supabase_admin",)]


def test_a_with_data_branch_runs_no_tenant_code(
    http: httpx.Client, localapi: Any, active_project: dict[str, Any]
) -> None:
    ref = active_project["ref"]
    sql(http, ref, ESCALATE + "delete from public.ran_as;")
    dev = make_branch(http, ref, "trap", with_data=True)["project_ref"]

    assert sql(http, dev, "select v from public.guarded order by v") == [{"v": 1}, {"v": 2}]
    assert evaluations(localapi, dev) == []  # copied page by page: the CHECK was never evaluated
    assert superusers(localapi, dev) == [("supabase_admin",)]
    assert superusers(localapi, ref) == [("supabase_admin",)]


def test_tenant_credentials_reach_their_own_instance_only(
    http: httpx.Client, localapi: Any, pg_location: Any, active_project: dict[str, Any]
) -> None:
    ref = active_project["ref"]
    instance = localapi.api.instances.instance(ref)
    password = PROJECT_BODY["db_pass"]
    # The instance holds the project's database only: no control state, no dashboard database.
    names = {row["datname"] for row in sql(http, ref, "select datname from pg_database")}
    assert names == {"postgres", "template0", "template1"}
    for dbname in (localapi.config.control_db, "platformkit_site", "test_platformkit_site"):
        with pytest.raises(psycopg.OperationalError, match="does not exist"):
            psycopg.connect(host="127.0.0.1", port=instance.port, user="postgres", password=password, dbname=dbname)
    # The cluster with the control state (and the dashboard's tables) listens on no TCP port at
    # all; its socket directory is the server user's alone.
    with psycopg.connect(pg_location.url(), autocommit=True) as conn:
        assert conn.execute("show listen_addresses").fetchone() == ("",)
    assert (instance.socket_dir.stat().st_mode & 0o077) == 0
    # Nor can tenant SQL open a connection, read the server's files or run programs.
    for attempt in (
        "create extension dblink",
        "create extension postgres_fdw",
        "grant pg_execute_server_program to postgres",
        "grant pg_read_server_files to postgres",
        "copy public.x from program 'id'",
    ):
        refused = http.post(f"/v1/projects/{ref}/database/query", json={"query": attempt})
        assert refused.status_code == 400, (attempt, refused.text)
