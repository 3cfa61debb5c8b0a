"""Branches, migrations and seeding through the dashboard, against the local API; the
workflow task (``follow_action_run``) is called as a worker would."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.core import hooks
from platformkit.models import AuditEvent, Operation, RestorePoint
from platformkit.sections.branches import tasks as branch_tasks
from tests.dashboard.conftest import assert_valid_html
from tests.dashboard.test_sql_editor import _active


@pytest.fixture
def project_ref(api: Any, upstream: Any, make_project: Any) -> str:
    ref = _active(upstream, make_project)
    upstream.database.apply_migration(
        ref,
        query="create table public.customers (id int primary key);"
        " alter table public.customers enable row level security",
        name="customers",
    )
    upstream.database.query(ref, "insert into public.customers values (1)")
    return ref


def _finish_latest(ref: str) -> Operation:
    operation = Operation.objects.filter(project_ref=ref).first()
    assert operation is not None
    assert branch_tasks.follow_action_run(operation.pk) in ("succeeded", "failed")
    operation.refresh_from_db()
    return operation


def _create_branch(client: Client, ref: str, name: str = "dev") -> str:
    response = client.post(
        reverse("platformkit:branches-create", args=[ref]), {"name": name, "secrets": "API_KEY=abc\n"}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    operation = _finish_latest(ref)
    assert operation.status == "succeeded", operation.message
    # Migration versions are timestamps to the second: a migration applied next must not share
    # the second of one cloned from production (the test would then exercise a version clash).
    time.sleep(1.1)
    return operation.params["branch_ref"]


def test_create_form_bad_input_keeps_what_was_typed(operator_client: Client, project_ref: str) -> None:
    url = reverse("platformkit:branches-create", args=[project_ref])
    response = operator_client.post(url, {"name": "bad name!", "secrets": "NOT A SECRET", "with_data": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert_valid_html(html)
    assert "Name: 1 to 100" in html and "Secrets: write one NAME=value per line (line 1 is not)" in html
    assert "tick the acknowledgement" in html and 'value="bad name!"' in html and ">NOT A SECRET</textarea>" in html
    assert not Operation.objects.exists()


def test_branch_flow_migrate_seed_review_merge(operator_client: Client, project_ref: str, upstream: Any) -> None:
    seen: list[hooks.ChangeApplied] = []
    hooks.AFTER_CHANGE_HOOKS.append(seen.append)
    try:
        dev = _create_branch(operator_client, project_ref)
        page = operator_client.get(reverse("platformkit:branches", args=[project_ref])).content.decode()
        assert_valid_html(page)
        assert 'data-branch="dev"' in page and "Done: Branch dev is ready." in page
        assert '<span class="pk-badge pk-badge--ok">migrations passed</span>' in page
        detail = AuditEvent.objects.get(action="branches.create").detail
        assert detail["secret_names"] == ["API_KEY"] and "abc" not in str(detail)

        # A migration on the branch (the switcher's ?branch= goes with the form).
        migrations_url = reverse("platformkit:migrations", args=[project_ref])
        bad = operator_client.post(
            reverse("platformkit:migrations-apply", args=[project_ref]) + f"?branch={dev}",
            {"name": "todos", "sql": "create tabel public.todos (id int)"},
        )
        assert (
            bad.status_code == 400
            and "syntax error" in bad.content.decode()
            and "create tabel public.todos" in bad.content.decode()
        )
        ok = operator_client.post(
            reverse("platformkit:migrations-apply", args=[project_ref]) + f"?branch={dev}",
            {
                "name": "todos",
                "sql": "create table public.todos (id int primary key, title text);"
                " alter table public.todos enable row level security",
                "rollback": "drop table public.todos",
            },
        )
        assert ok.status_code == 302
        history = operator_client.get(migrations_url + f"?branch={dev}").content.decode()
        assert_valid_html(history)
        assert "customers" in history and "todos" in history and "branch dev" in history

        # Seed on the branch; production refuses without its own confirmation.
        seeded = operator_client.post(
            reverse("platformkit:migrations-seed", args=[project_ref]) + f"?branch={dev}",
            {"sql": "insert into public.todos values (1, 'write tests')"},
        )
        assert seeded.status_code == 302  # redirected: a reload does not run the seed again
        shown = operator_client.get(seeded["Location"]).content.decode()
        assert "Seed ran on dev: 1 statement ran." in shown and "data-seed-done" in shown
        refused = operator_client.post(
            reverse("platformkit:migrations-seed", args=[project_ref]),
            {"sql": "insert into public.customers values (2)"},
        )
        assert (
            refused.status_code == 400 and f"Type the project ref {project_ref} to confirm" in refused.content.decode()
        )
        assert upstream.database.query(project_ref, "select count(*) as n from public.customers") == [{"n": 1}]
        assert [(event.kind, event.target_ref) for event in seen] == [("migration", dev), ("seed", dev)]

        # Review: the migration to apply, the diff, the preview of what changes in production
        # (migrations applied, functions promoted), then merge with production's ref typed.
        upstream.functions.create(dev, slug="hello", name="hello", body="Deno.serve(() => new Response('hi'))")
        merge_url = reverse("platformkit:branches-merge", args=[project_ref, dev])
        review = operator_client.get(merge_url).content.decode()
        assert_valid_html(review)
        assert "todos</li>" in review and "create table public.todos" in review
        preview = review.split('data-destructive-preview="branches.merge"')[1].split("</div>")[0]
        assert "Apply migration" in preview and "todos" in preview and "Deploy function hello to production" in preview
        assert "data-restore-point-first" in preview and "data-confirm-ref" in review
        refused = operator_client.post(merge_url, {"confirm_ref": "dev"})
        assert (
            refused.status_code == 400 and f"Type the project ref {project_ref} to confirm" in refused.content.decode()
        )
        assert not Operation.objects.filter(kind="branch.merge").exists()
        assert not RestorePoint.objects.filter(target_ref=project_ref).exists()  # nothing taken for a refused merge
        merged = operator_client.post(merge_url, {"confirm_ref": project_ref})
        assert merged.status_code == 302
        # A restore point of production was taken first, and the branches page links it.
        point = RestorePoint.objects.get(target_ref=project_ref, name__startswith="pre-")
        assert point.reason == "before merge of dev"
        listed = operator_client.get(merged["Location"]).content.decode()
        assert f"<code>{point.name}</code></a>, was taken first" in listed
        operation = Operation.objects.get(kind="branch.merge")
        assert branch_tasks.follow_action_run(operation.pk) == "succeeded"
        operation.refresh_from_db()
        assert operation.kind == "branch.merge" and operation.status == "succeeded", operation.message
        assert upstream.database.query(project_ref, "select count(*) as n from public.todos") == [
            {"n": 0}
        ]  # schema, not seed data
        assert AuditEvent.objects.filter(action="branches.merge", outcome="success").exists()
    finally:
        hooks.AFTER_CHANGE_HOOKS.remove(seen.append)


def test_blocking_merge_check_needs_permission_and_a_reason(
    operator_client: Client, project_ref: str, make_user: Any
) -> None:
    dev = _create_branch(operator_client, project_ref, "checked")
    lead = Client()
    lead.force_login(make_user("lead", "override_merge_checks", is_staff=True))

    def security_gate(review: hooks.MergeReview) -> hooks.CheckResult:
        return hooks.CheckResult("security advisor", "1 table without RLS", blocking=True)

    hooks.MERGE_CHECKS.append(security_gate)
    try:
        url = reverse("platformkit:branches-merge", args=[project_ref, dev])
        page = operator_client.get(url).content.decode()
        assert "1 table without RLS" in page and "data-override-denied" in page and "override_reason" not in page
        denied = operator_client.post(url, {"override_reason": "I am sure"})
        assert denied.status_code == 403 and "override_merge_checks permission" in denied.content.decode()
        refused = lead.post(url)
        assert refused.status_code == 400 and "give a reason to override" in refused.content.decode()
        assert not Operation.objects.filter(kind="branch.merge").exists()
        assert (
            lead.post(url, {"override_reason": "accepted risk, ticket 12", "confirm_ref": project_ref}).status_code
            == 302
        )
        assert AuditEvent.objects.get(action="branches.merge_override").detail["reason"] == "accepted risk, ticket 12"
    finally:
        hooks.MERGE_CHECKS.remove(security_gate)


def test_failed_merge_shows_why_and_production_is_unchanged(
    operator_client: Client, project_ref: str, upstream: Any
) -> None:
    dev = _create_branch(operator_client, project_ref, "clashing")
    upstream.database.apply_migration(
        dev,
        query="create table public.clash (id int); alter table public.clash enable row level security",
        name="clash",
    )
    upstream.database.query(project_ref, "create table public.clash (id int)")
    time.sleep(1.1)  # versions are timestamps to the second
    upstream.database.apply_migration(project_ref, query="create table public.later (id int)", name="later")
    review = operator_client.get(reverse("platformkit:branches-merge", args=[project_ref, dev])).content.decode()
    assert "clash</li>" in review
    assert "Production has migrations this branch lacks" in review and "would apply out of order" in review
    operator_client.post(reverse("platformkit:branches-merge", args=[project_ref, dev]), {"confirm_ref": project_ref})
    operation = Operation.objects.get(kind="branch.merge")
    branch_tasks.follow_action_run(operation.pk)
    operation.refresh_from_db()
    assert operation.status == "failed" and "production is unchanged" in operation.message
    assert [m.name for m in upstream.database.list_migrations(project_ref)] == ["customers", "later"]
    page = operator_client.get(reverse("platformkit:branches", args=[project_ref])).content.decode()
    assert 'data-operation-status="failed"' in page and "already exists" in page


def test_delete_scheduled_is_undoable_and_needs_the_typed_name(
    operator_client: Client, project_ref: str, upstream: Any
) -> None:
    dev = _create_branch(operator_client, project_ref, "temp")
    url = reverse("platformkit:branches-delete", args=[project_ref, dev])
    wrong = operator_client.post(url, {"confirm_name": "nope", "when": "scheduled"})
    assert wrong.status_code == 400 and "Type the branch name" in wrong.content.decode()
    assert operator_client.post(url, {"confirm_name": "temp", "when": "scheduled"}).status_code == 302
    page = operator_client.get(reverse("platformkit:branches", args=[project_ref])).content.decode()
    assert "data-deletion-scheduled" in page and "Undo deletion" in page
    # When, as people read it (the grace period ahead), the exact UTC time on hover.
    scheduled = page.split("data-deletion-scheduled>")[1].split("</span>")[0]
    assert re.search(
        r'deletion scheduled <time datetime="[^"]+" title="[^"]+ UTC">in \d+ (hour|day|minute)s?</time>', scheduled
    ), scheduled
    operator_client.post(reverse("platformkit:branches-restore", args=[project_ref, dev]))
    assert (
        "data-deletion-scheduled"
        not in operator_client.get(reverse("platformkit:branches", args=[project_ref])).content.decode()
    )
    operator_client.post(url, {"confirm_name": "temp", "when": "now"})
    assert [b.name for b in upstream.branches.list(project_ref)] == ["main"]


def test_migration_rollback_and_production_apply_confirmation(
    operator_client: Client, project_ref: str, upstream: Any
) -> None:
    apply_url = reverse("platformkit:migrations-apply", args=[project_ref])
    refused = operator_client.post(apply_url, {"name": "x", "sql": "create table public.x (id int)"})
    assert refused.status_code == 400 and "Type the project ref" in refused.content.decode()
    operator_client.post(
        apply_url,
        {
            "name": "x",
            "sql": "create table public.x (id int)",
            "rollback": "drop table public.x",
            "confirm_production": project_ref,
        },
    )
    # The same rendered form submitted twice (a double click) is applied once.
    form = {
        "name": "y",
        "sql": "create table public.y (id int)",
        "confirm_production": project_ref,
        "idempotency_key": "6f1c1a52-9a5e-4f53-9d7e-1f0d2b6c7a10",
    }
    assert operator_client.post(apply_url, form).status_code == 302
    assert operator_client.post(apply_url, form).status_code == 302
    assert [m.name for m in upstream.database.list_migrations(project_ref)] == ["customers", "x", "y"]
    upstream.database.query(
        project_ref, "drop table public.y; delete from supabase_migrations.schema_migrations where name = 'y'"
    )
    latest = upstream.database.list_migrations(project_ref)[-1]
    detail = operator_client.get(
        reverse("platformkit:migrations-detail", args=[project_ref, latest.version])
    ).content.decode()
    assert_valid_html(detail)
    assert "create table public.x (id int)" in detail and "drop table public.x" in detail
    # The rollback's preview shows the SQL it will run, and that a restore point comes first.
    page = operator_client.get(reverse("platformkit:migrations", args=[project_ref])).content.decode()
    assert_valid_html(page)
    preview = page.split('data-destructive-preview="migrations.rollback"')[1].split("</form>")[0]
    assert "drop table public.x;" in preview and "data-restore-point-first" in preview and "data-confirm-ref" in preview
    rollback_url = reverse("platformkit:migrations-rollback", args=[project_ref])
    refused = operator_client.post(rollback_url, {"version": latest.version, "confirm": "yes"})
    assert refused.status_code == 400 and f"Type the project ref {project_ref}" in refused.content.decode()
    assert [m.name for m in upstream.database.list_migrations(project_ref)] == ["customers", "x"]  # untouched
    before = RestorePoint.objects.filter(name__startswith="pre-")
    assert not before.exists()  # nothing taken for a refused rollback
    done = operator_client.post(rollback_url, {"version": latest.version, "confirm": "yes", "confirm_ref": project_ref})
    assert [m.name for m in upstream.database.list_migrations(project_ref)] == ["customers"]
    assert AuditEvent.objects.filter(action="migrations.rollback", outcome="success").exists()
    # A restore point was taken first, through the API, and the result links it.
    point = before.get()
    assert point.name.startswith("pre-") and point.reason == f"before rollback of {latest.version}"
    assert upstream.backups.get_restore_point(project_ref, point.name).name == point.name
    result = operator_client.get(done["Location"]).content.decode()
    assert f"<code>{point.name}</code></a>, was taken first" in result
    assert reverse("platformkit:restore-points", args=[project_ref]) in result.split("data-restore-point-taken")[1]
    # "customers" was saved without rollback SQL: no rollback is offered, and a forged one is refused.
    page = operator_client.get(reverse("platformkit:migrations", args=[project_ref])).content.decode()
    assert "data-no-rollback" in page and rollback_url not in page
    customers = upstream.database.list_migrations(project_ref)[-1]
    forged = operator_client.post(
        rollback_url, {"version": customers.version, "confirm": "yes", "confirm_ref": project_ref}
    )
    assert forged.status_code == 400 and "saved without rollback SQL" in forged.content.decode()
    assert [m.name for m in upstream.database.list_migrations(project_ref)] == ["customers"]


def test_same_version_with_another_name_is_flagged(operator_client: Client, project_ref: str, upstream: Any) -> None:
    dev = _create_branch(operator_client, project_ref, "twin")
    upstream.database.apply_migration(dev, query="create table public.mine (id int)", name="mine")
    version = upstream.database.list_migrations(dev)[-1].version
    upstream.database.query(
        project_ref,
        "insert into supabase_migrations.schema_migrations (version, name) values ($1, 'theirs')",
        parameters=[version],
    )
    review = operator_client.get(reverse("platformkit:branches-merge", args=[project_ref, dev])).content.decode()
    assert f"Versions {version} exist in both with different names" in review
