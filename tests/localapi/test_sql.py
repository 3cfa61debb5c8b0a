"""database/query and the migration endpoints, run for real."""

from __future__ import annotations

import time
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import project_admin_url
from tests.localapi.conftest import message, wait_for_status, wait_until_available
from tests.localapi.test_branches import migrate, sql


def test_query_returns_rows_with_odd_types(http: httpx.Client, active_project: dict[str, Any]) -> None:
    rows = sql(
        http,
        active_project["ref"],
        "select '{\"a\": 1}'::jsonb as j, array[1,2] as a, '\\xdead'::bytea as b,"
        " '2024-01-02 03:04:05+00'::timestamptz as t, null::text as n, 1.5::numeric as x, '<script>' as s",
    )
    assert rows == [
        {
            "j": {"a": 1},
            "a": [1, 2],
            "b": "\\xdead",
            "t": "2024-01-02T03:04:05+00:00",
            "n": None,
            "x": 1.5,
            "s": "<script>",
        }
    ]


def test_parameters_are_bound(http: httpx.Client, active_project: dict[str, Any]) -> None:
    rows = sql(http, active_project["ref"], "select $1::int + 1 as n, $2::text as t", parameters=[41, "x'; drop"])
    assert rows == [{"n": 42, "t": "x'; drop"}]


def test_read_only_blocks_writes(http: httpx.Client, active_project: dict[str, Any]) -> None:
    ref = active_project["ref"]
    for path, body in (
        (f"/v1/projects/{ref}/database/query", {"read_only": True}),
        (f"/v1/projects/{ref}/database/query/read-only", {}),
    ):
        response = http.post(path, json={"query": "create table public.nope (id int)", **body})
        assert response.status_code == 400 and "read-only transaction" in message(response)
    assert sql(http, ref, "select to_regclass('public.nope') as t") == [{"t": None}]


def test_read_only_cannot_be_escaped(http: httpx.Client, active_project: dict[str, Any]) -> None:
    """Ending the transaction, switching it to read-write, or switching role must not open a
    write (each of these wrote through the read-only endpoint once)."""
    ref = active_project["ref"]
    attempts = [
        "commit; create table public.escaped (id int)",
        "rollback; create table public.escaped (id int)",
        "end; create table public.escaped (id int)",
        "set transaction read write; create table public.escaped (id int)",
        "select set_config('transaction_read_only', 'off', true); create table public.escaped (id int)",
        "reset role; create table public.escaped (id int)",
    ]
    for attempt in attempts:
        response = http.post(f"/v1/projects/{ref}/database/query/read-only", json={"query": attempt})
        assert response.status_code == 400, attempt
    assert "Transaction control" in message(
        http.post(f"/v1/projects/{ref}/database/query/read-only", json={"query": "commit"})
    )
    assert sql(http, ref, "select to_regclass('public.escaped') as t") == [{"t": None}]


def test_no_query_can_become_a_superuser(http: httpx.Client, active_project: dict[str, Any]) -> None:
    ref = active_project["ref"]
    assert sql(http, ref, "select current_user as u") == [{"u": "postgres"}]
    escaped = sql(
        http,
        ref,
        "reset role; select current_user as u, (select rolsuper from pg_roles where rolname = current_user) as s",
    )
    assert escaped == [{"u": "platformkit_sql", "s": False}]
    after_commit = sql(http, ref, "commit; reset role; select session_user as u, current_setting('is_superuser') as s")
    assert after_commit == [{"u": "platformkit_sql", "s": "off"}]
    for attempt in (
        "set role supabase_admin; select 1",
        "alter role postgres superuser",
        "reset role; alter role platformkit_sql superuser",
        "alter role supabase_admin password 'mine'",
        "alter role platformkit_sql password 'mine'",
        "grant supabase_admin to postgres",
        "copy (select 1) to program 'true'",
        "select pg_read_file('postgresql.conf')",
        "create extension dblink",
    ):
        refused = http.post(f"/v1/projects/{ref}/database/query", json={"query": attempt})
        assert refused.status_code == 400, (attempt, refused.text)
        assert "permission denied" in message(refused) or "must be" in message(refused), (attempt, refused.text)
    assert sql(http, ref, "select rolname from pg_roles where rolsuper order by 1") == [{"rolname": "supabase_admin"}]


def test_database_settings_of_the_tenant_do_not_steer_the_local_api(
    http: httpx.Client, localapi: Any, active_project: dict[str, Any]
) -> None:
    """The tenant owns its database and may ALTER DATABASE ... SET: neither a search_path that
    puts its own ``count`` first (the local API's superuser sessions run the restore point's
    census and the password copy) nor backslash-escaped strings (which would hide a COMMIT from
    the read-only check) may turn into privileges."""
    ref = active_project["ref"]
    sql(
        http,
        ref,
        """
        create function public.sf(bigint) returns bigint language plpgsql as $$
        begin
          if current_setting('is_superuser') = 'on' then execute 'alter role postgres superuser'; end if;
          return $1 + 1;
        end $$;
        create aggregate public.count(*) (sfunc = public.sf, stype = bigint, initcond = '0');
        create table public.rows (id int primary key);
        insert into public.rows values (1);
        alter database postgres set search_path = public, pg_catalog;
        alter database postgres set standard_conforming_strings = off""",
    )
    created = http.post(f"/v1/projects/{ref}/database/backups/restore-point", json={"name": "census"})
    assert created.status_code == 201, created.text
    wait_until_available(http, ref, "census")
    smuggled = "select '\\''; commit; set role postgres; create table public.smuggled (); select 1 -- '"
    http.post(f"/v1/projects/{ref}/database/query/read-only", json={"query": smuggled})
    with psycopg.connect(project_admin_url(localapi, ref), autocommit=True) as conn:
        assert conn.execute("select rolsuper from pg_roles where rolname = 'postgres'").fetchone() == (False,)
    assert sql(http, ref, "select to_regclass('public.smuggled') as t") == [{"t": None}]


def test_a_commit_does_not_lift_the_statement_timeout(
    localapi: Any, http: httpx.Client, active_project: dict[str, Any]
) -> None:
    response = http.post(
        f"/v1/projects/{active_project['ref']}/database/query", json={"query": "commit; select pg_sleep(30)"}
    )
    assert response.status_code == 400 and "statement timeout" in message(response)


def test_the_local_api_roles_are_out_of_a_tenants_reach(http: httpx.Client, localapi: Any, create_project: Any) -> None:
    """The API's own roles exist in every instance but are not the tenant's to take: it cannot
    make them again, change their passwords, or log in as them over TCP; and what one tenant
    does to roles in its instance does not exist in another project's."""
    first, second = create_project()["ref"], create_project()["ref"]
    for ref in (first, second):
        wait_for_status(http, ref, "ACTIVE_HEALTHY")
    taken = http.post(f"/v1/projects/{first}/database/query", json={"query": "create role platformkit_sql login"})
    assert taken.status_code == 400 and "already exists" in message(taken)
    sql(http, first, "create role app_user login password 'mine'")
    assert sql(http, second, "select count(*) as n from pg_roles where rolname = 'app_user'") == [{"n": 0}]
    port = localapi.api.instances.instance(first).port
    for user in ("supabase_admin", "platformkit_sql"):
        with pytest.raises(psycopg.OperationalError, match="rejects connection|no pg_hba.conf entry"):
            psycopg.connect(host="127.0.0.1", port=port, user=user, password="guess", dbname="postgres")


def test_password_literals_never_reach_the_logs(
    http: httpx.Client, active_project: dict[str, Any], caplog: Any
) -> None:
    ref = active_project["ref"]
    with caplog.at_level("INFO", logger="platformkit.localapi.sql"):
        sql(http, ref, f"create role app_{ref} login password 'hunter2-secret'; drop role app_{ref}; select 1 as ok")
    text = " ".join(record.getMessage() for record in caplog.records)
    assert f"app_{ref}" in text and "hunter2-secret" not in text and "password '********'" in text


def test_invalid_sql_reports_position(http: httpx.Client, active_project: dict[str, Any]) -> None:
    response = http.post(f"/v1/projects/{active_project['ref']}/database/query", json={"query": "select 1;\nselec 2"})
    text = message(response)
    assert response.status_code == 400 and "42601" in text and "LINE 2: selec 2" in text and "\n        ^" in text


def test_statement_timeout(localapi: Any, http: httpx.Client, active_project: dict[str, Any]) -> None:
    response = http.post(
        f"/v1/projects/{active_project['ref']}/database/query", json={"query": "select pg_sleep(60)"}, timeout=60
    )
    assert response.status_code == 400 and "statement timeout" in message(response)


@pytest.mark.parametrize(
    "query",
    [
        "set statement_timeout = 0; select pg_sleep(30)",
        "set local statement_timeout = 0; select pg_sleep(30)",
        "select set_config('statement_timeout', '0', false), pg_sleep(30)",
    ],
)
def test_the_query_cannot_lift_its_own_time_limit(
    localapi: Any, http: httpx.Client, active_project: dict[str, Any], query: str
) -> None:
    # The suite's limit is 3 s; a session timeout the query turns off is enforced from outside.
    started = time.monotonic()
    response = http.post(f"/v1/projects/{active_project['ref']}/database/query", json={"query": query}, timeout=30)
    assert response.status_code == 400 and "statement timeout" in message(response)
    assert time.monotonic() - started < localapi.config.query_timeout_seconds + 3
    # The session went back to the pool usable.
    assert sql(http, active_project["ref"], "select 1 as ok") == [{"ok": 1}]


def test_failed_migration_leaves_nothing(http: httpx.Client, active_project: dict[str, Any]) -> None:
    ref = active_project["ref"]
    response = http.post(
        f"/v1/projects/{ref}/database/migrations",
        json={"query": "create table public.half (id int); select 1/0", "name": "half"},
    )
    assert response.status_code == 400 and "division by zero" in message(response)
    assert sql(http, ref, "select to_regclass('public.half') as t") == [{"t": None}]
    assert http.get(f"/v1/projects/{ref}/database/migrations").json() == []


def test_idempotency_key_applies_once_and_rollback(http: httpx.Client, active_project: dict[str, Any]) -> None:
    ref = active_project["ref"]
    body = {"query": "create table public.once (id int)", "name": "once", "rollback": "drop table public.once"}
    for _ in range(2):
        assert (
            http.post(
                f"/v1/projects/{ref}/database/migrations", json=body, headers={"Idempotency-Key": "k1"}
            ).status_code
            == 200
        )
    history = http.get(f"/v1/projects/{ref}/database/migrations").json()
    assert [m["name"] for m in history] == ["once"]
    one = http.get(f"/v1/projects/{ref}/database/migrations/{history[0]['version']}").json()
    assert one["statements"] == ["create table public.once (id int)"] and one["rollback"] == ["drop table public.once"]
    migrate(http, ref, "create table public.norollback (id int)", "norollback")
    refused = http.delete(f"/v1/projects/{ref}/database/migrations", params={"gte": history[0]["version"]})
    assert refused.status_code == 400 and "No rollback recorded" in message(refused)
    latest = http.get(f"/v1/projects/{ref}/database/migrations").json()[-1]["version"]
    sql(
        http,
        ref,
        "update supabase_migrations.schema_migrations set rollback = array['drop table public.norollback']"
        f" where version = '{latest}'",
    )
    assert (
        http.delete(f"/v1/projects/{ref}/database/migrations", params={"gte": history[0]["version"]}).status_code == 200
    )
    assert http.get(f"/v1/projects/{ref}/database/migrations").json() == []
    assert sql(http, ref, "select to_regclass('public.once') as t") == [{"t": None}]


def test_statements_are_logged_for_the_logs_feature(
    http: httpx.Client, active_project: dict[str, Any], caplog: Any
) -> None:
    with caplog.at_level("INFO", logger="platformkit.localapi.sql"):
        sql(http, active_project["ref"], "select 'logged' as marker")
    assert any(
        active_project["ref"] in record.getMessage() and "select 'logged'" in record.getMessage()
        for record in caplog.records
    )
