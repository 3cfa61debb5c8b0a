"""django-q2 task: wait for a project to reach a status (``params["until"]``, e.g. INACTIVE
after a pause). Same contract as :mod:`platformkit.tasks`: lease, hand-over, resume after a kill."""

from __future__ import annotations

import time

from django.utils import timezone

from .api import errors
from .models import Operation
from .services import get_client
from .tasks import _claim, _finish, _release, enqueue, run_budget_seconds

TASK = "platformkit.lifecycle_tasks.wait_for_project_status"


def wait_for_project_status(operation_id: int) -> str:
    if not _claim(operation_id):
        return "skipped"
    operation = Operation.objects.get(pk=operation_id)
    wanted = str(operation.params.get("until", "ACTIVE_HEALTHY"))
    budget, started, pause = run_budget_seconds(), time.monotonic(), 0.5
    client = get_client(cached=False, max_call_seconds=budget / 4)
    while time.monotonic() - started + pause + budget / 4 < budget:
        if timezone.now() >= operation.deadline:
            return _finish(operation, Operation.Status.TIMED_OUT, f"The project was not {wanted} by the deadline.")
        try:
            status = client.projects.get(operation.project_ref).status
        except errors.NotFoundError:
            return _finish(operation, Operation.Status.FAILED, "The project no longer exists upstream.")
        except errors.APIError as exc:
            operation.message = f"Checking failed: {type(exc).__name__} ({exc.status or 'no response'}); retrying."
            operation.save(update_fields=["message", "updated_at"])
        else:
            if status == wanted:
                return _finish(operation, Operation.Status.SUCCEEDED, f"The project is {wanted}.")
            operation.progress = {**operation.progress, "status": status}
            operation.save(update_fields=["progress", "updated_at"])
        time.sleep(pause)
        pause = min(pause * 2, 5.0)
    _release(operation)
    enqueue(TASK, operation_id)
    return "continued"
