"""django-q2 task of the branches section: follow a branch workflow's action run (create,
merge, push, reset), a step of :func:`platformkit.core.operations.poll`."""

from __future__ import annotations

from platformkit.api import ManagementClient, errors
from platformkit.api.resources.branches import Branches
from platformkit.core.operations import poll
from platformkit.models import Operation

FOLLOW_TASK = "platformkit.sections.branches.tasks.follow_action_run"


def follow_action_run(operation_id: int) -> str:
    """Read the workflow's action run until every step exited (SUCCEEDED) or one died (FAILED,
    with the run's logs as the message); every half second, as the steps are quick."""
    return poll(
        operation_id,
        FOLLOW_TASK,
        _run_finished,
        max_pause=0.5,
        timed_out="The workflow did not finish before the deadline.",
        gone="The workflow run no longer exists upstream",
        failing="Reading the workflow failed",
    )


def _run_finished(operation: Operation, client: ManagementClient) -> tuple[str, str] | None:
    ref, run_id = operation.params["branch_ref"], operation.params.get("run_id", "")
    run = client.branches.action_run(ref, run_id)
    operation.progress = {
        **operation.progress,
        "steps": [{"name": step.name, "status": step.status} for step in run.run_steps],
    }
    if not run.finished:
        return None
    if run.failed:
        return Operation.Status.FAILED, _failure_logs(client.branches, ref, run_id)
    return Operation.Status.SUCCEEDED, ""


def _failure_logs(branches: Branches, ref: str, run_id: str) -> str:
    try:
        text = branches.action_run_logs(ref, run_id)
    except errors.APIError:
        return "The workflow failed (its logs could not be read)."
    failed = [line for line in text.splitlines() if "failed" in line]
    return "\n".join(failed) or text[-2000:]
