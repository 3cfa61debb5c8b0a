"""django-q2 task: wait for a restore point to finish (PENDING -> AVAILABLE or FAILED).

Same contract as :mod:`platformkit.tasks`: takes an Operation id, holds its lease, hands over to
a fresh run before the worker timeout, and pages poll the row, never the API."""

from __future__ import annotations

import time

from platformkit.api import errors
from platformkit.models import Operation, RestorePoint
from platformkit.services import get_client
from platformkit.tasks import _claim, _finish, _release, enqueue, run_budget_seconds

TASK = "platformkit.sections.restore_points.tasks.wait_for_restore_point"


def wait_for_restore_point(operation_id: int) -> str:
    if not _claim(operation_id):
        return "skipped"
    operation = Operation.objects.get(pk=operation_id)
    point = RestorePoint.objects.filter(pk=operation.params.get("restore_point")).first()
    if point is None:
        return _finish(operation, Operation.Status.FAILED, "The restore point's record is gone.")
    budget, started = run_budget_seconds(), time.monotonic()
    client = get_client(cached=False, max_call_seconds=budget / 4)
    pause = 0.5
    while time.monotonic() - started + pause + budget / 4 < budget:
        from django.utils import timezone

        if timezone.now() >= operation.deadline:
            return _finish(operation, Operation.Status.TIMED_OUT, "The restore point was not ready by the deadline.")
        try:
            upstream = client.backups.get_restore_point(point.target_ref, point.name)
        except errors.APIError as exc:
            operation.message = f"Checking failed: {type(exc).__name__} ({exc.status or 'no response'}); retrying."
            operation.save(update_fields=["message", "updated_at"])
        else:
            if upstream.status != RestorePoint.Status.PENDING:
                point.status = upstream.status
                point.completed_on = _parse(upstream.completed_on)
                point.save(update_fields=["status", "completed_on"])
                ok = upstream.status == RestorePoint.Status.AVAILABLE
                return _finish(
                    operation,
                    Operation.Status.SUCCEEDED if ok else Operation.Status.FAILED,
                    f"Restore point {point.name} is {upstream.status}.",
                )
        time.sleep(pause)
        pause = min(pause * 2, 5.0)
    _release(operation)
    enqueue(TASK, operation_id)
    return "continued"


def _parse(value: str | None):  # type: ignore[no-untyped-def]
    from django.utils.dateparse import parse_datetime

    return parse_datetime(value) if value else None
