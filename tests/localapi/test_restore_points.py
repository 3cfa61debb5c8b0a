"""Restore points, undo and PITR, physical: a restore point is a WAL position, undo and PITR
recover the project's instance from its base backup and archived WAL (to the second)."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import psycopg

from tests.localapi.conftest import PROJECT_BODY, message, wait_for_status, wait_until_available


def sql(localapi: Any, ref: str, statement: str) -> list[tuple[Any, ...]]:
    """As the tenant, over TCP to the project's instance (as psql would)."""
    url = localapi.api.instances.instance(ref).direct_url(PROJECT_BODY["db_pass"])
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


def table_state(localapi: Any, ref: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    columns = sql(
        localapi,
        ref,
        "select column_name, data_type from information_schema.columns"
        " where table_name = 'todos' order by ordinal_position",
    )
    rows = sql(localapi, ref, "select * from public.todos order by 1")
    return columns, rows


def restore_point(http: httpx.Client, ref: str, name: str) -> dict[str, Any]:
    response = http.post(f"/v1/projects/{ref}/database/backups/restore-point", json={"name": name})
    assert response.status_code == 201, response.text
    assert response.json()["name"] == name and response.json()["status"] in ("PENDING", "AVAILABLE")
    return wait_until_available(http, ref, name)


def test_undo_restores_schema_data_users_and_migrations(
    http: httpx.Client, active_project: dict, localapi: Any
) -> None:
    ref = active_project["ref"]
    sql(
        localapi,
        ref,
        "create table public.todos (id int primary key, title text);"
        " insert into public.todos values (1, 'one'), (2, 'two')",
    )
    sql(localapi, ref, "insert into auth.users (id, email) values (gen_random_uuid(), 'before@example.com')")
    before = table_state(localapi, ref)
    point = restore_point(http, ref, "before-change")
    assert point["status"] == "AVAILABLE" and point["completed_on"]

    sql(
        localapi,
        ref,
        "insert into public.todos values (3, 'three'); alter table public.todos add column done boolean",
    )
    sql(
        localapi,
        ref,
        "create table public.extra (id int);"
        " insert into auth.users (id, email) values (gen_random_uuid(), 'after@example.com')",
    )
    sql(
        localapi,
        ref,
        "insert into supabase_migrations.schema_migrations (version, name) values ('20260101000000', 'add_extra')",
    )
    assert table_state(localapi, ref) != before

    response = http.post(f"/v1/projects/{ref}/database/backups/undo", json={"name": "before-change"})
    assert response.status_code == 201 and response.content == b"", response.text
    assert http.get(f"/v1/projects/{ref}").json()["status"] == "RESTORING"
    wait_for_status(http, ref, "ACTIVE_HEALTHY", timeout=30)
    report = localapi.api.backups.reports(ref)[0]["report"]
    assert report["tables_dropped"] == ["public.extra"]
    assert report["migrations_reverted"] == ["20260101000000 add_extra"]
    changed = {item["table"]: item for item in report["tables_changed"]}
    assert changed["public.todos"]["rows_now"] == 3 and changed["public.todos"]["rows_after"] == 2
    assert changed["public.todos"]["columns_removed"] == ["done boolean"]
    assert "secrets" in report["untouched"]

    assert table_state(localapi, ref) == before
    assert sql(localapi, ref, "select to_regclass('public.extra')") == [(None,)]
    assert sql(localapi, ref, "select email from auth.users order by email") == [("before@example.com",)]
    assert sql(localapi, ref, "select count(*) from supabase_migrations.schema_migrations") == [(0,)]


def test_missing_point_is_404_and_bad_names_are_400(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    response = http.post(f"/v1/projects/{ref}/database/backups/undo", json={"name": "never-made"})
    assert response.status_code == 404 and "never-made" in message(response)
    assert http.get(f"/v1/projects/{ref}/database/backups/restore-point", params={"name": "nope"}).status_code == 404
    too_long = http.post(f"/v1/projects/{ref}/database/backups/restore-point", json={"name": "x" * 21})
    assert too_long.status_code == 400 and "20" in message(too_long)
    assert http.post(f"/v1/projects/{ref}/database/backups/restore-point", json={}).status_code == 400


def test_pending_point_cannot_be_restored_and_names_are_unique(
    http: httpx.Client, active_project: dict, localapi: Any
) -> None:
    ref = active_project["ref"]
    with localapi.api.backups._connect() as conn:  # a point whose WAL is not archived yet
        conn.execute("insert into restore_points (ref, name, status) values (%s, 'in-progress', 'PENDING')", (ref,))
    response = http.post(f"/v1/projects/{ref}/database/backups/undo", json={"name": "in-progress"})
    assert response.status_code == 409 and "PENDING" in message(response)
    again = http.post(f"/v1/projects/{ref}/database/backups/restore-point", json={"name": "in-progress"})
    assert again.status_code == 409 and "already exists" in message(again)


def test_concurrent_undo_one_wins_the_other_conflicts(http: httpx.Client, active_project: dict, localapi: Any) -> None:
    ref = active_project["ref"]
    restore_point(http, ref, "point")
    results: list[int] = []
    barrier = threading.Barrier(2)

    def undo() -> None:
        with httpx.Client(
            base_url=localapi.base_url, headers={"Authorization": f"Bearer {localapi.token}"}, timeout=30
        ) as client:
            barrier.wait()
            results.append(client.post(f"/v1/projects/{ref}/database/backups/undo", json={"name": "point"}).status_code)

    threads = [threading.Thread(target=undo) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201, 409]
    wait_for_status(http, ref, "ACTIVE_HEALTHY", timeout=30)


def test_pitr_is_exact_to_the_second(http: httpx.Client, active_project: dict, localapi: Any) -> None:
    """A row written 2 s before the target is kept, one written 2 s after it is gone."""
    ref = active_project["ref"]
    backups = http.get(f"/v1/projects/{ref}/database/backups").json()
    assert backups["pitr_enabled"] is False and backups["physical_backup_data"] == {}
    off = http.post(
        f"/v1/projects/{ref}/database/backups/restore-pitr", json={"recovery_time_target_unix": int(time.time())}
    )
    assert off.status_code == 400 and "not enabled" in message(off)

    localapi.api.backups.set_pitr(ref, 7)  # the window: from the instance's first base backup
    backups = http.get(f"/v1/projects/{ref}/database/backups").json()
    assert backups["pitr_enabled"] is True and backups["walg_enabled"] is True
    assert backups["backups"] and all(
        b["is_physical_backup"] and b["status"] == "COMPLETED" for b in backups["backups"]
    )
    earliest = backups["physical_backup_data"]["earliest_physical_backup_date_unix"]

    sql(localapi, ref, "create table public.todos (id int primary key, title text)")
    time.sleep(max(0.0, earliest + 1 - time.time()))
    sql(localapi, ref, "insert into public.todos values (1, 'kept')")
    target = int(time.time()) + 2  # the row is 1 to 2 s before it
    time.sleep(target + 2 - time.time())
    sql(localapi, ref, "insert into public.todos values (2, 'dropped')")  # 2 s after it

    too_early = http.post(
        f"/v1/projects/{ref}/database/backups/restore-pitr", json={"recovery_time_target_unix": earliest - 3600}
    )
    assert too_early.status_code == 400 and "earliest" in message(too_early)
    future = http.post(
        f"/v1/projects/{ref}/database/backups/restore-pitr", json={"recovery_time_target_unix": target + 3600}
    )
    assert future.status_code == 400 and "future" in message(future)
    response = http.post(
        f"/v1/projects/{ref}/database/backups/restore-pitr", json={"recovery_time_target_unix": target}
    )
    assert response.status_code == 201 and response.content == b"", response.text
    assert http.get(f"/v1/projects/{ref}").json()["status"] == "RESTORING"
    wait_for_status(http, ref, "ACTIVE_HEALTHY", timeout=60)
    assert sql(localapi, ref, "select * from public.todos order by id") == [(1, "kept")]
    report = localapi.api.backups.reports(ref)[0]
    assert report["kind"] == "pitr" and "failed" not in report["report"], report
    changed = {item["table"]: item for item in report["report"]["tables_changed"]}
    assert changed["public.todos"]["rows_now"] == 2 and changed["public.todos"]["rows_after"] == 1
    # The tenant's password and the project's other data survive; the window reaches past the restore.
    assert sql(localapi, ref, "select 1") == [(1,)]
    latest = http.get(f"/v1/projects/{ref}/database/backups").json()["physical_backup_data"]
    assert latest["latest_physical_backup_date_unix"] >= target + 2


def test_restore_points_survive_a_restart_and_retention_prunes_them(
    http: httpx.Client, active_project: dict, localapi: Any
) -> None:
    from datetime import timedelta

    from platformkit.localapi.backend import LocalAPI

    ref = active_project["ref"]
    restore_point(http, ref, "kept")
    second = LocalAPI(localapi.api.config)  # a restarted server over the same records and files
    try:
        assert second.backups.get_restore_point(ref, {"name": "kept"})["status"] == "AVAILABLE"
        assert second.backups.usage(ref)["bytes"] > 0
        second.instances.base_backup(ref)  # a newer backup: the first is outside a zero retention
        pruned = second.backups.prune(ref, keep=timedelta(0))
        assert len(pruned.backups) == 1 and second.backups.usage(ref)["backups"] == 1
    finally:
        second.close()
    # The point is before the oldest backup kept: it cannot be recovered any more.
    assert http.get(f"/v1/projects/{ref}/database/backups/restore-point", params={"name": "kept"}).status_code == 404


def test_client_tools_get_the_password_from_the_environment_not_the_command_line(
    localapi: Any, active_project: dict, monkeypatch: Any
) -> None:
    """pg_dump and pg_restore log in through PG* variables of their own (``ps`` shows command
    lines to everyone), and none of this process's PG* settings leak into them."""
    from platformkit.localapi import provision

    monkeypatch.setenv("PGPASSWORD", "not-this-one")
    monkeypatch.setenv("PGSERVICE", "elsewhere")
    ref = active_project["ref"]
    with provision.tool_environment(localapi.api.instances, ref) as env:
        assert localapi.api.instances._borrowed.get(ref)  # held in use meanwhile: no idle stop under a dump
    instance = localapi.api.instances.instance(ref)
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"]) == (
        str(instance.socket_dir),
        str(instance.port),
        "platformkit_sql",
    )
    assert env["PGPASSWORD"] == localapi.api.instances.credentials.sql_password and "PGSERVICE" not in env
    assert env["PGDATABASE"] == "postgres"


def test_a_table_the_tenant_cannot_count_does_not_stop_an_undo(
    http: httpx.Client, active_project: dict, localapi: Any
) -> None:
    # The before/after report counts every table as the tenant; a table the tenant keeps locked
    # (or one too big to count in time) made the undo a 500, or left the project RESTORE_FAILED.
    ref = active_project["ref"]
    sql(localapi, ref, "create table public.todos (id int primary key); insert into public.todos values (1)")
    restore_point(http, ref, "before-lock")
    sql(localapi, ref, "insert into public.todos values (2)")
    url = localapi.api.instances.instance(ref).direct_url(PROJECT_BODY["db_pass"])
    with psycopg.connect(url) as holder:
        holder.execute("lock table public.todos in access exclusive mode")
        response = http.post(f"/v1/projects/{ref}/database/backups/undo", json={"name": "before-lock"}, timeout=60)
        assert response.status_code == 201, response.text
        # Deleting a project under its restore is refused, not done in the recovery's directory.
        if http.get(f"/v1/projects/{ref}").json()["status"] == "RESTORING":
            assert http.delete(f"/v1/projects/{ref}").status_code == 409
    wait_for_status(http, ref, "ACTIVE_HEALTHY", timeout=60)
    assert sql(localapi, ref, "select id from public.todos") == [(1,)]
    report = localapi.api.backups.reports(ref)[0]["report"]
    assert "failed" not in report and "statement timeout" in report.get("report_unavailable", ""), report
