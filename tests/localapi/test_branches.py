"""Branches in the local API, over real HTTP on real PostgreSQL: a branch is its own database
with production's schema and migration history but not its data; merge applies what the
branch adds, in one transaction; action runs report each workflow."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from tests.localapi.conftest import message, wait_for_status


def sql(http: httpx.Client, ref: str, query: str, **extra: Any) -> list[dict[str, Any]]:
    response = http.post(f"/v1/projects/{ref}/database/query", json={"query": query, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def migrate(http: httpx.Client, ref: str, query: str, name: str, rollback: str | None = None) -> None:
    body = {"query": query, "name": name, **({"rollback": rollback} if rollback else {})}
    response = http.post(f"/v1/projects/{ref}/database/migrations", json=body)
    assert response.status_code == 200, response.text


def wait_run(http: httpx.Client, ref: str, run_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        run = http.get(f"/v1/projects/{ref}/actions/{run_id}").json()
        statuses = [step["status"] for step in run["run_steps"]]
        if "DEAD" in statuses or all(status == "EXITED" for status in statuses):
            return run
        assert time.monotonic() < deadline, run
        time.sleep(0.1)


def make_branch(http: httpx.Client, ref: str, name: str, **fields: Any) -> dict[str, Any]:
    response = http.post(f"/v1/projects/{ref}/branches", json={"branch_name": name, **fields})
    assert response.status_code == 201, response.text
    branch = response.json()
    assert branch["parent_project_ref"] == ref and branch["is_default"] is False
    runs = http.get(f"/v1/projects/{branch['project_ref']}/actions").json()
    run = wait_run(http, branch["project_ref"], runs[0]["id"])
    assert [step["status"] for step in run["run_steps"]] == ["EXITED"] * 3, http.get(
        f"/v1/projects/{branch['project_ref']}/actions/{run['id']}/logs"
    ).text
    wait_for_status(http, branch["project_ref"], "ACTIVE_HEALTHY")
    return branch


@pytest.fixture
def production(http: httpx.Client, active_project: dict[str, Any]) -> str:
    ref = active_project["ref"]
    migrate(
        http,
        ref,
        "create table public.customers (id bigint primary key, email text)",
        "customers",
        "drop table public.customers",
    )
    sql(http, ref, "insert into public.customers values (1, 'real@customer.example')")
    return ref


def test_branch_has_schema_and_history_but_no_data_and_is_isolated(http: httpx.Client, production: str) -> None:
    branch = make_branch(http, production, "dev")
    dev = branch["project_ref"]
    assert sql(http, dev, "select count(*) as n from public.customers") == [{"n": 0}]
    assert [m["name"] for m in http.get(f"/v1/projects/{dev}/database/migrations").json()] == ["customers"]
    sql(http, dev, "insert into public.customers values (2, 'seed@example.com')")
    assert sql(http, production, "select id from public.customers") == [{"id": 1}]
    names = [item["name"] for item in http.get(f"/v1/projects/{production}/branches").json()]
    assert names == ["main", "dev"]
    assert http.get(f"/v1/projects/{production}/branches/dev").json()["project_ref"] == dev
    assert dev not in [project["ref"] for project in http.get("/v1/projects").json()]
    detail = http.get(f"/v1/branches/{dev}").json()
    assert detail["ref"] == dev and detail["status"] == "ACTIVE_HEALTHY"


def test_with_data_is_a_physical_clone_with_its_own_password_and_backups(
    http: httpx.Client, production: str, localapi: Any
) -> None:
    import psycopg

    dev = make_branch(http, production, "copy", with_data=True)["project_ref"]
    assert sql(http, dev, "select email from public.customers") == [{"email": "real@customer.example"}]
    assert [m["name"] for m in http.get(f"/v1/projects/{dev}/database/migrations").json()] == ["customers"]
    sql(http, dev, "insert into public.customers values (2, 'branch@example.com')")
    assert sql(http, production, "select id from public.customers") == [{"id": 1}]  # independent
    # The branch archives into its own store (never its parent's) and has a base backup.
    instances = localapi.api.instances
    assert instances.ensure_base_backup(dev) is not None
    archive = (instances.instance(dev).pgdata / "postgresql.auto.conf").read_text()
    assert str(instances.store(dev).wal_dir) in archive and str(instances.store(production).wal_dir) not in archive
    # Its tenant password is the branch's own: production's does not open it.
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(instances.instance(dev).direct_url("correct-horse-battery-staple"), connect_timeout=3)


def test_merge_applies_branch_migrations_in_order(http: httpx.Client, production: str) -> None:
    branch = make_branch(http, production, "feature")
    dev = branch["project_ref"]
    migrate(http, dev, "create table public.orders (id bigint primary key)", "orders")
    migrate(http, dev, "alter table public.orders add column total numeric", "orders_total")
    diff = http.get(f"/v1/branches/{dev}/diff")
    assert diff.headers["content-type"].startswith("text/plain")
    assert "create table public.orders" in diff.text and "orders_total" in diff.text
    merged = http.post(f"/v1/branches/{branch['id']}/merge", json={})
    assert merged.status_code == 201 and merged.json()["message"] == "ok"
    run = wait_run(http, dev, merged.json()["workflow_run_id"])
    assert [step["status"] for step in run["run_steps"]] == ["EXITED"] * 3
    assert sql(
        http, production, "select column_name from information_schema.columns where table_name = 'orders' order by 1"
    ) == [{"column_name": "id"}, {"column_name": "total"}]
    history = [m["name"] for m in http.get(f"/v1/projects/{production}/database/migrations").json()]
    assert history == ["customers", "orders", "orders_total"]
    assert sql(http, production, "select id from public.customers") == [{"id": 1}]  # data kept


def test_failed_merge_leaves_production_unchanged(http: httpx.Client, production: str) -> None:
    dev = make_branch(http, production, "broken")["project_ref"]
    migrate(http, dev, "create table public.good (id int)", "good")
    migrate(http, dev, "create table public.clash (id int)", "clash")
    # Production gains the same table outside the branch: the second migration now fails there.
    sql(http, production, "create table public.clash (id int)")
    run_id = http.post(f"/v1/branches/{dev}/merge", json={}).json()["workflow_run_id"]
    run = wait_run(http, dev, run_id)
    assert [step["status"] for step in run["run_steps"]][:2] == ["EXITED", "DEAD"]
    logs = http.get(f"/v1/projects/{dev}/actions/{run_id}/logs").text
    assert "production is unchanged" in logs and "already exists" in logs
    assert sql(http, production, "select to_regclass('public.good') as t") == [{"t": None}]
    assert [m["name"] for m in http.get(f"/v1/projects/{production}/database/migrations").json()] == ["customers"]


def test_reset_recreates_from_production(http: httpx.Client, production: str) -> None:
    dev = make_branch(http, production, "resettable")["project_ref"]
    migrate(http, dev, "create table public.scratch (id int)", "scratch")
    run_id = http.post(f"/v1/branches/{dev}/reset").json()["workflow_run_id"]
    assert [step["status"] for step in wait_run(http, dev, run_id)["run_steps"]] == ["EXITED"] * 3
    wait_for_status(http, dev, "ACTIVE_HEALTHY")
    assert sql(http, dev, "select to_regclass('public.scratch') as t") == [{"t": None}]
    assert [m["name"] for m in http.get(f"/v1/projects/{dev}/database/migrations").json()] == ["customers"]


def test_calls_during_a_reset_wait_or_get_a_503_and_the_reset_completes(
    http: httpx.Client, production: str, localapi: Any
) -> None:
    """A reset replaces the branch's server under whatever calls are in flight (seen in the fuzz
    run: a diff waiting on the old server's pool got a 500 and the reset itself failed)."""
    dev = make_branch(http, production, "busy-reset")["project_ref"]
    statuses: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=str(http.base_url), headers=http.headers, timeout=30) as client:
            while not stop.is_set():
                statuses.append(client.get(f"/v1/branches/{dev}/diff").status_code)
                statuses.append(
                    client.post(f"/v1/projects/{dev}/database/query", json={"query": "select 1"}).status_code
                )

    workers = [threading.Thread(target=hammer) for _ in range(3)]
    for worker in workers:
        worker.start()
    try:
        for _ in range(2):
            run_id = http.post(f"/v1/branches/{dev}/reset").json()["workflow_run_id"]
            assert [step["status"] for step in wait_run(http, dev, run_id)["run_steps"]] == ["EXITED"] * 3
            wait_for_status(http, dev, "ACTIVE_HEALTHY")
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert 500 not in statuses and set(statuses) <= {200, 201, 400, 503}, sorted(set(statuses))
    assert statuses.count(200) and statuses.count(201)  # they were answered before and after
    assert sql(http, dev, "select 1 as one") == [{"one": 1}]


def test_scheduled_delete_can_be_restored_and_force_delete_drops(http: httpx.Client, production: str) -> None:
    dev = make_branch(http, production, "doomed")["project_ref"]
    assert http.delete(f"/v1/branches/{dev}", params={"force": "false"}).json() == {"message": "ok"}
    assert "deletion_scheduled_at" in http.get(f"/v1/projects/{production}/branches/doomed").json()
    assert http.post(f"/v1/branches/{dev}/restore").json() == {"message": "Branch restoration initiated"}
    assert "deletion_scheduled_at" not in http.get(f"/v1/projects/{production}/branches/doomed").json()
    assert http.delete(f"/v1/branches/{dev}").status_code == 200
    assert http.get(f"/v1/projects/{production}/branches/doomed").status_code == 404
    assert http.get(f"/v1/projects/{dev}").status_code == 404


def test_branch_secrets_are_the_branchs_own_and_go_with_it(http: httpx.Client, production: str, localapi: Any) -> None:
    dev = make_branch(http, production, "with-secrets", secrets={"STRIPE_KEY": "sk_test_1", "FEATURE_FLAG": "on"})[
        "project_ref"
    ]
    listed = http.get(f"/v1/projects/{dev}/secrets").json()
    assert [item["name"] for item in listed] == ["FEATURE_FLAG", "STRIPE_KEY"]
    assert all(item["value"] not in ("sk_test_1", "on") for item in listed)  # a digest, never the value
    assert "STRIPE_KEY" not in [item["name"] for item in http.get(f"/v1/projects/{production}/secrets").json()]
    refused = http.post(
        f"/v1/projects/{production}/branches", json={"branch_name": "bad", "secrets": {"SUPABASE_URL": "x"}}
    )
    assert refused.status_code == 400 and "SUPABASE_" in message(refused)
    assert http.get(f"/v1/projects/{production}/branches/bad").status_code == 404  # nothing was created
    assert http.delete(f"/v1/branches/{dev}").status_code == 200
    assert http.get(f"/v1/projects/{dev}/secrets").status_code == 404
    assert localapi.api.secrets.list(dev) == []  # forgotten with the branch, as with a project


def test_bad_branch_input(http: httpx.Client, production: str) -> None:
    assert "branch_name" in message(http.post(f"/v1/projects/{production}/branches", json={}))
    assert "secrets" in message(
        http.post(f"/v1/projects/{production}/branches", json={"branch_name": "x", "secrets": {"1bad": "v"}})
    )
    assert http.get("/v1/branches/not-a-ref").status_code == 400
    assert http.get("/v1/branches/abcdefghijklmnopqrst").status_code == 404
