"""django-q2 tasks. Each takes an ``Operation`` id (never an object), re-reads the row, and
writes what it learns back to it; pages poll that row, never the upstream API.

A run never outlives ``Q_CLUSTER["timeout"]``: after ``TASK_RUN_FRACTION`` of it the task
enqueues itself again with the same id and returns. If a worker dies mid-run, the broker hands
the unacknowledged task out again after ``Q_CLUSTER["retry"]`` seconds and the new run carries
on from the row (its lease has expired by then).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from platformkit.api import errors
from platformkit.conf import get_config
from platformkit.models import Operation
from platformkit.services import forget_cached_reads, get_client

logger = logging.getLogger(__name__)

HEALTHY = "ACTIVE_HEALTHY"
WAIT_TASK = "platformkit.tasks.wait_for_project_healthy"


def worker_timeout_seconds() -> float:
    """How long a worker may run a task before django-q2 kills it (60 s if none is set)."""
    return float((getattr(settings, "Q_CLUSTER", {}) or {}).get("timeout") or 60)


def run_budget_seconds() -> float:
    """Wall time one task run may use: a fraction of the worker timeout."""
    return worker_timeout_seconds() * float(get_config()["TASK_RUN_FRACTION"])


def enqueue(task: str, operation_id: int) -> None:
    """Queue ``task(operation_id)`` on django-q2 (named after the operation)."""
    if not apps.is_installed("django_q"):
        logger.warning("django_q is not installed: operation %s will not be polled (platformkit.W001)", operation_id)
        return
    from django_q.tasks import async_task

    async_task(task, operation_id, q_options={"task_name": f"platformkit-operation-{operation_id}"})


def enqueue_health_wait(operation_id: int) -> None:
    enqueue(WAIT_TASK, operation_id)


def _claim(operation_id: int) -> bool:
    """Take the row's lease for this run; False when another live run holds it.

    The lease lasts the worker timeout: no run can live longer, and since ``timeout`` is below
    ``retry``, a copy redelivered after a killed run always finds the lease expired.
    """
    now = timezone.now()
    lease = now + timedelta(seconds=worker_timeout_seconds())
    return bool(
        Operation.objects.filter(pk=operation_id)
        .exclude(status__in=Operation.TERMINAL)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
        .update(lease_expires_at=lease, status=Operation.Status.RUNNING)
    )


def _release(operation: Operation, **changes: Any) -> None:
    for field, value in changes.items():
        setattr(operation, field, value)
    operation.lease_expires_at = None
    operation.save()


# kind -> called with the finished row (e.g. recovery records the outcome in the audit trail).
FINISH_HOOKS: dict[str, Any] = {
    "restore_points.undo": "platformkit.sections.restore_points.services.record_outcome",
    "restore_points.pitr": "platformkit.sections.restore_points.services.record_outcome",
}


def _finish(operation: Operation, status: str, message: str) -> str:
    _release(operation, status=status, message=message, finished_at=timezone.now())
    if operation.kind in FINISH_HOOKS:
        from django.utils.module_loading import import_string

        import_string(FINISH_HOOKS[operation.kind])(operation)
    forget_cached_reads()  # pages must now show the project as it is, not as it was cached
    logger.info("operation %s %s: %s", operation.pk, status, message)
    return status


def wait_for_project_healthy(operation_id: int) -> str:
    """Poll the project's health with backoff until every service is healthy or the deadline.

    Returns the row's status after this run, or ``"continued"`` when it handed over to a new run.
    Safe to run twice for the same id (redelivery): a terminal row or a held lease ends it.
    """

    config = get_config()
    budget = run_budget_seconds()
    run_started = time.monotonic()
    if not _claim(operation_id):
        return "skipped"
    operation = Operation.objects.get(pk=operation_id)
    operation.attempts += 1
    operation.started_at = operation.started_at or timezone.now()
    operation.save(update_fields=["attempts", "started_at", "updated_at"])
    # One call (with its retries) gets a quarter of a run and a pause at most half, so a fresh
    # run can always sit out the pause it inherits and still make its check.
    call_allowance = budget / 4
    max_pause = min(float(config["HEALTH_POLL_MAX_INTERVAL"]), budget / 2)
    client = get_client(cached=False, max_call_seconds=call_allowance)
    wanted: list[str] = list(config["HEALTH_SERVICES"])

    while True:
        if timezone.now() >= operation.deadline:
            message = "The project did not become healthy before the deadline."
            return _finish(operation, Operation.Status.TIMED_OUT, f"{message} {operation.message}".strip())
        wait = max(0.0, float(operation.progress.get("next_check_at", 0)) - time.time())
        if time.monotonic() - run_started + wait + call_allowance > budget:
            _release(operation)
            enqueue_health_wait(operation.pk)
            return "continued"
        time.sleep(wait)

        interval = float(operation.progress.get("interval") or config["HEALTH_POLL_INTERVAL"])
        pause = interval
        try:
            health = client.projects.health(operation.project_ref, services=wanted)
        except errors.NotFoundError as exc:
            return _finish(
                operation,
                Operation.Status.FAILED,
                f"The project no longer exists upstream (request id {exc.request_id or 'n/a'}).",
            )
        except errors.APIError as exc:
            # Recorded, then retried until the deadline: an outage must not end the wait.
            operation.message = f"Health check failed: {type(exc).__name__} ({exc.status or 'no response'}); retrying."
            operation.progress = {
                **operation.progress,
                "last_error": {"type": type(exc).__name__, "status": exc.status, "request_id": exc.request_id},
            }
            if isinstance(exc, errors.RateLimitError) and exc.retry_after:
                pause = float(exc.retry_after)
        else:
            services = {item.name: {"status": item.status} for item in health}
            operation.progress = {**operation.progress, "services": services}
            operation.message = ""
            if all(services.get(name, {}).get("status") == HEALTHY for name in wanted):
                return _finish(operation, Operation.Status.SUCCEEDED, "All services are healthy.")
        operation.progress = {
            **operation.progress,
            "checks": operation.progress.get("checks", 0) + 1,
            "interval": min(interval * 2, max_pause),
            "next_check_at": time.time() + min(pause, max_pause),
        }
        operation.save(update_fields=["progress", "message", "updated_at"])


# step(operation, client) -> None to keep polling, or (final status, message) to end the row.
Step = Callable[[Operation, Any], "tuple[str, str] | None"]


def poll(operation_id: int, task: str, step: Step, *, on_end: Callable[[Operation], None] | None = None) -> str:
    """The polling loop of a simple task: claim the row, call ``step`` with backoff (0.5 s
    doubling to 5 s) until it ends the row or the deadline passes, and hand over to a fresh run
    before the worker timeout. API errors are recorded on the row and retried."""
    if not _claim(operation_id):
        return "skipped"
    operation = Operation.objects.get(pk=operation_id)
    budget, started, pause = run_budget_seconds(), time.monotonic(), 0.5
    client = get_client(cached=False, max_call_seconds=budget / 4)

    def end(status: str, message: str) -> str:
        if on_end is not None:
            on_end(operation)
        return _finish(operation, status, message)

    while time.monotonic() - started + pause + budget / 4 < budget:
        if timezone.now() >= operation.deadline:
            return end(Operation.Status.TIMED_OUT, f"Not done by the deadline. {operation.message}".strip())
        try:
            outcome = step(operation, client)
        except errors.NotFoundError:
            return end(Operation.Status.FAILED, "The project no longer exists upstream.")
        except errors.APIError as exc:
            operation.message = f"Checking failed: {type(exc).__name__} ({exc.status or 'no response'}); retrying."
            operation.save(update_fields=["message", "updated_at"])
        else:
            if outcome is not None:
                return end(*outcome)
        time.sleep(pause)
        pause = min(pause * 2, 5.0)
    _release(operation)
    enqueue(task, operation_id)
    return "continued"
