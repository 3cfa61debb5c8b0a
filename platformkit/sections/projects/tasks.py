"""django-q2 task: wait for a project to reach a status (``params["until"]``, e.g. INACTIVE
after a pause). Same contract as :mod:`platformkit.tasks`: lease, hand-over, resume after a kill."""

from __future__ import annotations

from typing import Any

from platformkit.models import Operation
from platformkit.tasks import poll

TASK = "platformkit.sections.projects.tasks.wait_for_project_status"


def wait_for_project_status(operation_id: int) -> str:
    return poll(operation_id, TASK, _reached)


def _reached(operation: Operation, client: Any) -> tuple[str, str] | None:
    wanted = str(operation.params.get("until", "ACTIVE_HEALTHY"))
    status = client.projects.get(operation.project_ref).status
    if status == wanted:
        return Operation.Status.SUCCEEDED, f"The project is {wanted}."
    operation.progress = {**operation.progress, "status": status}
    operation.message = ""
    operation.save(update_fields=["progress", "message", "updated_at"])
    return None
