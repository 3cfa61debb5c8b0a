"""django-q2 tasks of the projects section, each a step of :func:`platformkit.core.operations.poll`:
wait for a project to become healthy (after a launch, a restore, a resize, a recovery) and wait
for it to reach a status (``params["until"]``, e.g. INACTIVE after a pause)."""

from __future__ import annotations

from platformkit.api import ManagementClient
from platformkit.conf import get_config
from platformkit.core.operations import HEALTHY, WAIT_HEALTHY, poll
from platformkit.models import Operation

WAIT_FOR_STATUS = "platformkit.sections.projects.tasks.wait_for_project_status"


def wait_for_project_healthy(operation_id: int) -> str:
    """Poll the project's health with backoff (``HEALTH_POLL_INTERVAL`` doubling to
    ``HEALTH_POLL_MAX_INTERVAL``) until every service in ``HEALTH_SERVICES`` is healthy or the
    deadline passes."""
    config = get_config()
    return poll(
        operation_id,
        WAIT_HEALTHY,
        _all_healthy,
        first_pause=float(config["HEALTH_POLL_INTERVAL"]),
        max_pause=float(config["HEALTH_POLL_MAX_INTERVAL"]),
        timed_out="The project did not become healthy before the deadline.",
        failing="Health check failed",
    )


def _all_healthy(operation: Operation, client: ManagementClient) -> tuple[str, str] | None:
    wanted: list[str] = list(get_config()["HEALTH_SERVICES"])
    health = client.projects.health(operation.project_ref, services=wanted)
    services = {item.name: {"status": item.status} for item in health}
    operation.progress = {**operation.progress, "services": services}
    operation.message = ""
    if all(services.get(name, {}).get("status") == HEALTHY for name in wanted):
        return Operation.Status.SUCCEEDED, "All services are healthy."
    return None


def wait_for_project_status(operation_id: int) -> str:
    return poll(operation_id, WAIT_FOR_STATUS, _reached)


def _reached(operation: Operation, client: ManagementClient) -> tuple[str, str] | None:
    wanted = str(operation.params.get("until", HEALTHY))
    status = client.projects.get(operation.project_ref).status
    if status == wanted:
        return Operation.Status.SUCCEEDED, f"The project is {wanted}."
    operation.progress = {**operation.progress, "status": status}
    operation.message = ""
    return None
