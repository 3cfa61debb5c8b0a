"""Taking over an operation whose run died with its worker (``platformkit.core.takeover``): the
Redis broker never redelivers a task, so an unfinished row nobody runs has its task enqueued
again, once, when a page polls it or the schedule sweeps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from platformkit.core import operations, takeover
from platformkit.models import Operation
from tests.dashboard.conftest import htmx_get

TASK = "platformkit.sections.projects.tasks.wait_for_project_healthy"


def make_operation(**fields: Any) -> Operation:
    defaults = {
        "kind": "project.create",
        "project_ref": "abcdefghijabcdefghij",
        "deadline": timezone.now() + timedelta(minutes=5),
        "task": TASK,
    }
    return Operation.objects.create(**{**defaults, **fields})


def queued(operation: Operation) -> int:
    return sum(1 for task in OrmQ.objects.all() if tuple(task.task.get("args") or ()) == (operation.pk,))


def age(operation: Operation, seconds: float) -> None:
    Operation.objects.filter(pk=operation.pk).update(updated_at=timezone.now() - timedelta(seconds=seconds))


def test_enqueue_records_the_task_and_claim_the_holder(db: None) -> None:
    operation = make_operation(task="")
    operations.enqueue(TASK, operation.pk)
    operation.refresh_from_db()
    assert operation.task == TASK and queued(operation) == 1
    assert operations.claim(operation.pk)
    operation.refresh_from_db()
    assert operation.lease_holder == operations.lease_holder() and operation.status == "running"
    operations.release(operation)
    operation.refresh_from_db()
    assert operation.lease_holder == "" and operation.lease_expires_at is None


def test_polling_a_dead_run_enqueues_its_task_once(operator_client: Client) -> None:
    dead = make_operation(
        status="running", lease_expires_at=timezone.now() - timedelta(seconds=1), lease_holder="gone:1"
    )
    url = reverse("platformkit:operation", args=[dead.pk])
    assert htmx_get(operator_client, url).status_code == 200
    dead.refresh_from_db()
    assert queued(dead) == 1 and dead.lease_expires_at is None and dead.lease_holder == ""
    htmx_get(operator_client, url)  # just re-queued: not stalled again until a worker timeout passes
    assert queued(dead) == 1


def test_polling_a_live_run_changes_nothing(operator_client: Client) -> None:
    live = make_operation(status="running", lease_expires_at=timezone.now() + timedelta(seconds=30))
    htmx_get(operator_client, reverse("platformkit:operation", args=[live.pk]))
    assert queued(live) == 0
    assert Operation.objects.get(pk=live.pk).lease_expires_at == live.lease_expires_at


def test_sweep_takes_over_dead_and_lost_rows_only(db: None) -> None:
    dead = make_operation(status="running", lease_expires_at=timezone.now() - timedelta(seconds=1))
    lost = make_operation()  # queued, never claimed: its task went with a killed cluster
    age(lost, operations.worker_timeout_seconds() + 1)
    fresh = make_operation()  # queued a moment ago: a live worker will start it
    finished = make_operation(status="succeeded", lease_expires_at=timezone.now() - timedelta(seconds=1))
    untasked = make_operation(task="")  # waits on another operation's finish hook, no task of its own
    age(untasked, operations.worker_timeout_seconds() + 1)
    assert takeover.resume_stalled() == 2
    assert [queued(row) for row in (dead, lost, fresh, finished, untasked)] == [1, 1, 0, 0, 0]
    assert takeover.resume_stalled() == 0  # the copies are queued now: nothing is stalled


def test_a_taken_over_row_is_claimed_by_one_run(db: None) -> None:
    dead = make_operation(status="running", lease_expires_at=timezone.now() - timedelta(seconds=1))
    takeover.resume_stalled()
    assert operations.claim(dead.pk)
    assert not operations.claim(dead.pk)  # a second copy (the old broker's redelivery) is skipped


def test_the_sweep_is_scheduled_every_minute(db: None) -> None:
    takeover.ensure_schedule()
    schedule = Schedule.objects.get(name=takeover.SCHEDULE_NAME)
    assert schedule.func == takeover.TASK and schedule.minutes == 1 and schedule.repeats == -1


def _undo_with_hooks_due() -> Operation:
    """An undo saved finished whose hooks' run died (its lease ran out with the hooks due)."""
    return make_operation(
        kind="restore_points.undo",
        status="succeeded",
        params={"name": "keep", "project": "abcdefghijabcdefghij"},
        progress={operations.HOOKS_DUE: True},
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )


def test_hooks_of_a_row_finished_by_a_dead_worker_run_once(db: None) -> None:
    """An undo whose worker died after saving it finished, before its hook recorded the outcome:
    the audit trail gets its "finished" entry from the takeover, once."""
    from platformkit.models import AuditEvent

    undo = _undo_with_hooks_due()
    finished = AuditEvent.objects.filter(action="restore_points.undo", detail__phase="finished")
    assert takeover.resume_stalled() == 1
    assert [task.task["func"] for task in OrmQ.objects.all()] == [takeover.HOOKS_TASK]
    assert takeover.finish_hooks(undo.pk) == "done"
    assert takeover.finish_hooks(undo.pk) == "skipped"  # a second copy finds nothing due
    undo.refresh_from_db()
    assert finished.count() == 1 and operations.HOOKS_DUE not in undo.progress and undo.lease_expires_at is None
    assert takeover.resume_stalled() == 0


def test_a_hooks_task_lost_after_its_handover_is_handed_over_again(db: None) -> None:
    """Found in review: the handover clears the lease and enqueues the hooks' task; a task lost
    then (a broker dropping it with its cluster) left the row due forever (no lease to expire),
    and its page, which polls until the hooks have run, polled forever."""
    undo = _undo_with_hooks_due()
    assert takeover.resume_stalled() == 1
    OrmQ.objects.all().delete()  # the task is lost
    assert takeover.resume_stalled() == 0  # handed over a moment ago: its task may still come
    Operation.objects.filter(pk=undo.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert takeover.resume_stalled() == 1 and OrmQ.objects.count() == 1
    assert takeover.finish_hooks(undo.pk) == "done"
    undo.refresh_from_db()
    assert undo.is_settled


def test_a_hook_that_always_fails_settles_the_row_after_a_few_runs(db: None, monkeypatch: Any) -> None:
    from platformkit.core import sections

    def broken(row: Operation) -> None:
        raise RuntimeError("the report cannot be computed")

    monkeypatch.setattr(sections, "finish_hooks", lambda kind: [broken])
    undo = make_operation(
        kind="restore_points.undo", status="succeeded", message="Undone.", progress={operations.HOOKS_DUE: True}
    )
    for _ in range(takeover.HOOK_ATTEMPTS - 1):
        with pytest.raises(RuntimeError):
            takeover.finish_hooks(undo.pk)
        Operation.objects.filter(pk=undo.pk).update(lease_expires_at=None)  # as a takeover hands it over
    assert takeover.finish_hooks(undo.pk) == "failed"
    undo.refresh_from_db()
    assert undo.is_settled and undo.status == "succeeded" and "follow-up steps failed" in undo.message


def test_finish_holds_a_lease_until_the_hooks_ran(db: None) -> None:
    undo = make_operation(kind="restore_points.undo", status="running", params={"name": "keep"})
    seen: list[Operation] = []
    from platformkit.core import sections

    original = sections.finish_hooks

    def watching(kind: str) -> list:
        return [*original(kind), lambda row: seen.append(Operation.objects.get(pk=row.pk))] if original(kind) else []

    sections.finish_hooks = watching  # type: ignore[assignment]
    try:
        operations.finish(undo, "succeeded", "done")
    finally:
        sections.finish_hooks = original  # type: ignore[assignment]
    [during] = seen
    assert during.status == "succeeded" and operations.HOOKS_DUE in during.progress and during.lease_expires_at
    undo.refresh_from_db()
    assert operations.HOOKS_DUE not in undo.progress and undo.lease_expires_at is None


def test_leases_are_judged_by_the_database_clock_not_the_machine_s(db: None, monkeypatch: Any) -> None:
    """Workers on several machines share the rows: one whose clock is ten minutes slow must still
    see a lease that ran out a minute ago as run out, and one whose clock is ten minutes fast must
    not take over a run that claimed its lease a moment ago on another machine."""
    from django.db.models.functions import Now

    dead = make_operation(status="running")
    Operation.objects.filter(pk=dead.pk).update(lease_expires_at=Now() - timedelta(minutes=1))
    live = make_operation()
    assert operations.claim(live.pk)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() - timedelta(minutes=10))
    assert takeover.resume_stalled() == 1 and queued(dead) == 1
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(minutes=10))
    assert not takeover.resume_if_stalled(Operation.objects.get(pk=live.pk)) and takeover.resume_stalled() == 0
    assert queued(live) == 0


def test_a_row_queued_by_a_site_whose_clock_is_slow_is_not_taken_over(db: None, monkeypatch: Any) -> None:
    """The queued time a lost task is judged by is the database's too: a site 16 s behind it
    (twice the worker timeout here) queues a row that is not "stalled" the moment it is queued."""
    real_now = timezone.now
    monkeypatch.setattr(
        timezone, "now", lambda: real_now() - timedelta(seconds=2 * operations.worker_timeout_seconds())
    )
    queued_now = make_operation()
    operations.enqueue(TASK, queued_now.pk)
    assert takeover.resume_stalled() == 0 and queued(queued_now) == 1  # the one enqueue, not a second
