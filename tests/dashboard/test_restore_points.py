"""The restore points screen: timeline, restore point by hand, undo with typed confirmation,
PITR with its second confirmation, against the local API and a real database."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.core.targets import Target
from platformkit.models import AuditEvent, Operation, RestorePoint
from platformkit.sections.projects import tasks
from platformkit.sections.restore_points import services as recovery
from platformkit.sections.restore_points import tasks as recovery_tasks
from tests.conftest import tenant_sql
from tests.dashboard.conftest import assert_valid_html


@pytest.fixture
def project(make_project: Any, upstream: Any) -> Any:
    created = make_project("Recoverable")
    deadline = time.monotonic() + 30
    while upstream.projects.get(created.ref).status != "ACTIVE_HEALTHY":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return created


def sql(api: Any, ref: str, statement: str) -> list[tuple[Any, ...]]:
    return tenant_sql(api, ref, statement)


def run_operations() -> None:
    """Drive every open operation's task to its end, as the worker would: restore points first
    (a recovery waits for the one taken before it, and is started when it is done)."""
    for _ in range(10):
        waiting = Operation.objects.exclude(status__in=Operation.TERMINAL)
        if not waiting.exists():
            return
        for operation in sorted(waiting, key=lambda op: op.kind != "restore_points.create"):
            operation.refresh_from_db()
            if operation.is_terminal:
                continue
            if operation.kind == "restore_points.create":
                recovery_tasks.wait_for_restore_point(operation.pk)
            elif "after_operation" not in operation.params or operation.progress.get("recovery_requested") == "sent":
                tasks.wait_for_project_healthy(operation.pk)


def pitr_then_lost(api: Any, ref: str, lost: str) -> str:
    """PITR on for ``ref``, a table ``public.t`` holding 'kept', then the rows ``lost`` written a
    second after the returned time (the form's value): what a PITR to that time reverts."""
    sql(api, ref, "create table public.t (v text); insert into public.t values ('kept')")
    api.api.backups.set_pitr(ref, 7)
    time.sleep(1.1)
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    time.sleep(1.1)
    sql(api, ref, f"insert into public.t values {lost}")
    return when


def timeline_url(ref: str) -> str:
    return reverse("platformkit:restore-points", args=[ref])


def test_create_undo_flow_restores_the_table_exactly(
    operator_client: Client, project: Any, api: Any, upstream: Any
) -> None:
    ref = project.ref
    sql(
        api,
        ref,
        "create table public.todos (id int primary key, title text);"
        " insert into public.todos values (1, 'a'), (2, 'b')",
    )
    before = (
        sql(api, ref, "select * from public.todos order by id"),
        sql(
            api,
            ref,
            "select column_name from information_schema.columns where table_name = 'todos' order by ordinal_position",
        ),
    )

    response = operator_client.post(reverse("platformkit:restore-point-create", args=[ref]), {"name": "before-alter"})
    assert response.status_code == 302
    run_operations()
    point = RestorePoint.objects.get(target_ref=ref, name="before-alter")
    assert point.status == "AVAILABLE" and point.completed_on is not None

    sql(api, ref, "insert into public.todos values (3, 'c'); alter table public.todos add column done boolean")
    time.sleep(1.1)  # a migration's version is the second it was applied: after the point's
    upstream.database.apply_migration(ref, query="create table public.extra (id int)", name="add_extra")
    page = operator_client.get(timeline_url(ref))
    assert_valid_html(page.content)
    assert b"Restore point before-alter" in page.content and b"Undo to here" in page.content

    review = operator_client.get(reverse("platformkit:restore-point-undo", args=[ref, point.pk]))
    assert_valid_html(review.content)
    assert b"What will not be reverted" in review.content and b"Edge Functions" in review.content
    # The preview names the migration applied since the point (from the API's history).
    preview = review.content.decode().split('data-destructive-preview="restore_points.undo"')[1].split("</div>")[0]
    assert "add_extra is reverted" in preview and "data-restore-point-first" in preview

    # On production the ref is what confirms (the point's name is not enough); the typing is kept.
    wrong = operator_client.post(
        reverse("platformkit:restore-point-undo", args=[ref, point.pk]), {"confirm_ref": "before-alter"}
    )
    assert wrong.status_code == 400 and f"Type the project ref {ref} to confirm".encode() in wrong.content
    assert b'value="before-alter" data-confirm-ref' in wrong.content
    assert sql(api, ref, "select count(*) from public.todos") == [(3,)]

    done = operator_client.post(reverse("platformkit:restore-point-undo", args=[ref, point.pk]), {"confirm_ref": ref})
    assert done.status_code == 302
    # A restore point of the state being undone is taken first; the undo waits for it, untouched.
    taken = RestorePoint.objects.get(target_ref=ref, name__startswith="pre-")
    assert taken.reason == "before undo to before-alter"
    operation = Operation.objects.get(kind="restore_points.undo", project_ref=ref)
    assert operation.status == "pending" and f"Waiting for the restore point {taken.name}" in operation.message
    assert sql(api, ref, "select count(*) from public.todos") == [(3,)]
    shown = operator_client.get(done["Location"]).content.decode()
    assert f"<code>{taken.name}</code></a>, was taken first" in shown
    run_operations()
    operation.refresh_from_db()
    taken.refresh_from_db()
    assert operation.status == "succeeded", operation.message
    assert taken.status == "AVAILABLE"  # the way back to the state before the undo
    after = (
        sql(api, ref, "select * from public.todos order by id"),
        sql(
            api,
            ref,
            "select column_name from information_schema.columns where table_name = 'todos' order by ordinal_position",
        ),
    )
    assert after == before

    outcomes = list(
        AuditEvent.objects.filter(action="restore_points.undo", project_ref=ref).values_list("outcome", "detail__phase")
    )
    assert sorted(outcomes) == [("success", "finished"), ("success", "started")]
    page = operator_client.get(timeline_url(ref) + "?kind=recovery")
    assert b"Undo to before-alter finished" in page.content and b"Restore point before-alter" not in page.content


def test_bad_names_keep_the_input_and_say_why(operator_client: Client, project: Any) -> None:
    url = reverse("platformkit:restore-point-create", args=[project.ref])
    response = operator_client.post(url, {"name": "x" * 25})
    assert (
        response.status_code == 400 and b"at most 20 characters" in response.content and b"x" * 25 in response.content
    )
    assert operator_client.post(url, {"name": "   "}).status_code == 400
    assert RestorePoint.objects.count() == 0


def test_script_in_a_name_is_text(operator_client: Client, project: Any) -> None:
    operator_client.post(reverse("platformkit:restore-point-create", args=[project.ref]), {"name": "<b>x</b>"})
    page = operator_client.get(timeline_url(project.ref))
    assert b"<b>x</b>" not in page.content and b"&lt;b&gt;x&lt;/b&gt;" in page.content


def test_second_undo_while_one_runs_is_refused(operator_client: Client, project: Any, operator: Any) -> None:
    target = Target(project.ref, project.ref)
    recovery.create_restore_point(operator, target, "p1")
    run_operations()
    point = RestorePoint.objects.get(name="p1")
    recovery.undo(operator, target, point)
    response = operator_client.post(
        reverse("platformkit:restore-point-undo", args=[project.ref, point.pk]), {"confirm_ref": project.ref}
    )
    assert response.status_code == 400 and b"still running" in response.content
    assert Operation.objects.filter(kind="restore_points.undo").count() == 1
    run_operations()


class WorkerKilled(BaseException):
    """Stands for the worker's process dying where it is raised (not an error any code handles)."""


def test_a_worker_dying_while_it_counts_the_tables_has_sent_nothing(
    project: Any, operator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The undo's census (the report's "before") is taken in the restore point's finish hook; a
    worker dying during it has not asked for the undo yet, so the hook's second run (the takeover
    sweep's) counts again and starts it, rather than failing it as "unknown whether it started"."""
    from django.db.models.functions import Now

    from platformkit.core import takeover
    from platformkit.sections.restore_points import report

    target = Target(project.ref, project.ref)
    recovery.create_restore_point(operator, target, "p1")
    run_operations()
    recovery.undo(operator, target, RestorePoint.objects.get(name="p1"))
    census = report.census

    def dies(*args: Any) -> Any:
        raise WorkerKilled

    monkeypatch.setattr(report, "census", dies)
    with pytest.raises(WorkerKilled):
        run_operations()
    monkeypatch.setattr(report, "census", census)
    point_run = Operation.objects.get(kind="restore_points.create", params__name__startswith="pre-")
    Operation.objects.filter(pk=point_run.pk).update(lease_expires_at=Now())  # the dead worker's lease ran out
    assert takeover.finish_hooks(point_run.pk) == "done"
    run_operations()
    undo = Operation.objects.get(kind="restore_points.undo")
    assert undo.status == "succeeded", undo.message
    assert "report" in undo.params  # the census before was taken: the report compares it with after


def test_pitr_disabled_says_why(operator_client: Client, project: Any) -> None:
    page = operator_client.get(reverse("platformkit:restore-points-pitr", args=[project.ref]))
    assert b"data-pitr-disabled" in page.content and b"not enabled" in page.content
    assert b"Restore production" not in page.content


def test_pitr_needs_a_second_confirmation(operator_client: Client, project: Any, api: Any) -> None:
    ref = project.ref
    when = pitr_then_lost(api, ref, "('lost')")
    url = reverse("platformkit:restore-points-pitr", args=[ref])

    review = operator_client.post(url, {"recovery_time": when, "step": "review"})
    assert b"Rollbacks lose data" in review.content and b"confirm_ref" in review.content
    assert_valid_html(review.content)
    preview = review.content.decode().split('data-destructive-preview="restore_points.pitr"')[1].split("</div>")[0]
    assert "No migration was applied since then" in preview and "data-restore-point-first" in preview
    assert not Operation.objects.filter(kind="restore_points.pitr").exists()
    unconfirmed = operator_client.post(url, {"recovery_time": when, "step": "confirm", "confirm_ref": ref})
    assert unconfirmed.status_code == 400 and b"Tick the box" in unconfirmed.content
    out_of_window = operator_client.post(url, {"recovery_time": "2001-01-01T00:00:00", "step": "review"})
    assert out_of_window.status_code == 400 and b"Pick a time between" in out_of_window.content

    done = operator_client.post(
        url, {"recovery_time": when, "step": "confirm", "confirm_ref": ref, "understood": "yes"}
    )
    assert done.status_code == 302
    assert RestorePoint.objects.get(target_ref=ref, name__startswith="pre-").reason.startswith(
        "before point-in-time recovery to "
    )
    run_operations()
    assert Operation.objects.get(kind="restore_points.pitr").status == "succeeded"
    assert sql(api, ref, "select v from public.t") == [("kept",)]


def test_restore_point_after_change_is_configurable(project: Any, operator: Any, settings: Any) -> None:
    target = Target(project.ref, project.ref)
    assert recovery.restore_point_after_change(operator, target, "after migration add_todos") is not None
    assert RestorePoint.objects.get().reason == "after migration add_todos"
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "RESTORE_POINT_AFTER_CHANGE": False}
    assert recovery.restore_point_after_change(operator, target, "after seed") is None
    run_operations()


def test_read_only_operator_cannot_undo(
    client: Client, project: Any, make_user: Any, settings: Any, operator: Any
) -> None:
    target = Target(project.ref, project.ref)
    recovery.create_restore_point(operator, target, "ro")
    run_operations()
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "PERMISSION_POLICY": f"{__name__}.read_only"}
    client.force_login(make_user("viewer", is_staff=True))
    assert client.get(timeline_url(project.ref)).status_code == 200
    point = RestorePoint.objects.get(name="ro")
    assert (
        client.post(
            reverse("platformkit:restore-point-undo", args=[project.ref, point.pk]), {"confirm_ref": project.ref}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("platformkit:restore-point-create", args=[project.ref]), {"name": "nope"}).status_code
        == 403
    )


def read_only(user: Any) -> Any:
    from platformkit.access import Access

    return Access(changeable_refs=frozenset())


def test_timeline_names_each_schema_change_by_what_it_was(db: None) -> None:
    target = Target("aaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaa")
    for action, detail in [
        ("migrations.apply", {"name": "add_todos"}),
        ("migrations.rollback", {"version": "20261201"}),
        ("migrations.seed", {}),
    ]:
        AuditEvent.objects.create(
            actor_label="op", action=action, project_ref=target.project_ref, detail={"target": target.ref, **detail}
        )
    titles = {entry.title for entry in recovery.timeline(target)}
    assert titles == {"Migration add_todos applied", "Migration 20261201 rolled back", "Seed data applied"}


def test_an_active_function_wears_the_healthy_colour() -> None:
    from platformkit.templatetags.platformkit_tags import status_tone

    assert status_tone("ACTIVE") == status_tone("ACTIVE_HEALTHY") == "ok"
