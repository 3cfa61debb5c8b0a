"""django-q2 task of the restore points section: wait for a restore point to finish
(PENDING -> AVAILABLE or FAILED), a step of :func:`platformkit.core.operations.poll`."""

from __future__ import annotations

from django.utils.dateparse import parse_datetime

from platformkit.api import ManagementClient
from platformkit.core.operations import poll
from platformkit.models import Operation, RestorePoint

TASK = "platformkit.sections.restore_points.tasks.wait_for_restore_point"


def wait_for_restore_point(operation_id: int) -> str:
    # A 404 is retried: the point may not be listed yet right after its POST.
    return poll(operation_id, TASK, _finished, timed_out="The restore point was not ready by the deadline.", gone=None)


def _finished(operation: Operation, client: ManagementClient) -> tuple[str, str] | None:
    point = RestorePoint.objects.filter(pk=operation.params.get("restore_point")).first()
    if point is None:
        return Operation.Status.FAILED, "The restore point's record is gone."
    upstream = client.backups.get_restore_point(point.target_ref, point.name)
    if upstream.status == RestorePoint.Status.PENDING:
        return None
    point.status = upstream.status
    point.completed_on = parse_datetime(upstream.completed_on) if upstream.completed_on else None
    point.save(update_fields=["status", "completed_on"])
    ok = upstream.status == RestorePoint.Status.AVAILABLE
    return (
        Operation.Status.SUCCEEDED if ok else Operation.Status.FAILED,
        f"Restore point {point.name} is {upstream.status}.",
    )
