"""The branches and database resources against the local API over real HTTP."""

from __future__ import annotations

import time

import pytest

from platformkit.api import ManagementClient, errors


@pytest.fixture
def client(localapi):
    with ManagementClient(localapi.token, base_url=localapi.base_url) as client:
        yield client


def _active_project(client: ManagementClient) -> str:
    created = client.projects.create(
        name="Branching", organization_slug=client.organizations.list()[0].slug, db_pass="Branch-pass-123"
    )
    deadline = time.monotonic() + 15
    while client.projects.get(created.ref).status != "ACTIVE_HEALTHY":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return created.ref


def _finish(client: ManagementClient, ref: str, run_id: str):
    deadline = time.monotonic() + 60
    while not (run := client.branches.action_run(ref, run_id)).finished:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return run


def test_branch_workflow_through_the_client(client: ManagementClient) -> None:
    ref = _active_project(client)
    client.database.apply_migration(
        ref, query="create table public.t (id int)", name="t", rollback="drop table public.t"
    )
    branch = client.branches.create(ref, branch_name="dev", secrets={"STRIPE_KEY": "sk_test"})
    assert branch.name == "dev" and branch.project_ref != ref
    _finish(client, branch.project_ref, client.branches.action_runs(branch.project_ref)[0].id)
    assert client.branches.get(ref, "dev").id == branch.id
    assert client.branches.get_config(branch.id).ref == branch.project_ref

    client.database.apply_migration(branch.project_ref, query="create table public.u (id int)", name="u")
    assert [m.name for m in client.database.list_migrations(branch.project_ref)] == ["t", "u"]
    assert "create table public.u" in client.branches.diff(branch.id)
    run = _finish(client, branch.project_ref, client.branches.merge(branch.id).workflow_run_id)
    assert not run.failed and [step.name for step in run.run_steps] == ["health", "migrate", "deploy"]
    assert "[migrate] applied" in client.branches.action_run_logs(branch.project_ref, run.id)
    assert client.database.query(ref, "select to_regclass('public.u')::text as t") == [{"t": "u"}]
    assert client.database.query_read_only(ref, "select $1::int as n", parameters=[7]) == [{"n": 7}]

    assert client.branches.update(branch.id, git_branch="feature/u").git_branch == "feature/u"
    client.branches.delete(branch.id, force=False)
    assert client.branches.get(ref, "dev").deletion_scheduled_at
    client.branches.restore(branch.id)
    client.branches.delete(branch.id)
    with pytest.raises(errors.NotFoundError):
        client.branches.get(ref, "dev")

    latest = client.database.list_migrations(ref)[-1]
    assert client.database.get_migration(ref, latest.version).statements == ["create table public.u (id int)"]
    with pytest.raises(errors.APIError, match="No rollback recorded"):
        client.database.rollback_migrations(ref, gte=latest.version)
