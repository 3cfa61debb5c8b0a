"""Operations: one long upstream action each, driven by a django-q2 task, followed by pages.

A task takes an ``Operation`` id (never an object), re-reads the row, and writes what it learns
back to it; pages poll that row, never the upstream API. Every task is :func:`poll` around a
*step* of its own; nothing else in the package claims, releases or finishes a row.

A run never outlives ``Q_CLUSTER["timeout"]``: after ``TASK_RUN_FRACTION`` of it the task
enqueues itself again with the same id and returns. If a worker dies mid-run, the broker hands
the unacknowledged task out again after ``Q_CLUSTER["retry"]`` seconds and the new run carries
on from the row (its lease has expired by then): the pacing (``progress["interval"]``,
``["next_check_at"]``, ``["checks"]``) lives on the row too. The Redis broker hands nothing out
again: :mod:`platformkit.core.takeover` starts the row's task (``Operation.task``, recorded by
:func:`enqueue`) once its lease has expired.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from platformkit.api import ManagementClient, errors
from platformkit.conf import get_config
from platformkit.core import sections
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.models import Operation

__all__ = [
    "HEALTHY",
    "HOOKS_DUE",
    "WAIT_HEALTHY",
    "Step",
    "claim",
    "enqueue",
    "enqueue_on_commit",
    "finish",
    "lease_holder",
    "poll",
    "release",
    "run_finish_hooks",
    "run_budget_seconds",
    "worker_timeout_seconds",
]

logger = logging.getLogger(__name__)

HEALTHY = "ACTIVE_HEALTHY"  # the API's status of a healthy project or service
# The task every section starts to wait for a project to be healthy again (after a launch,
# restore, resize or recovery); the projects section implements it.
WAIT_HEALTHY = "platformkit.sections.projects.tasks.wait_for_project_healthy"

# step(operation, client) -> None to keep polling, or (final status, message) to end the row.
# A step may change ``operation.progress`` and ``operation.message``; the loop saves them.
Step = Callable[[Operation, ManagementClient], "tuple[str, str] | None"]


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
    from django_q.tasks import async_task  # django_q is optional: imported only when it is installed

    # For core.takeover: the task to enqueue again, and when it was queued in the database's clock
    # (a queued row untouched for a worker timeout is judged lost; the site's clock may be off).
    Operation.objects.filter(pk=operation_id).update(task=task, updated_at=Now())
    async_task(task, operation_id, q_options={"task_name": f"platformkit-operation-{operation_id}"})


def enqueue_on_commit(task: str, operation_id: int) -> None:
    """:func:`enqueue` once the current transaction commits (a worker must find the row)."""
    transaction.on_commit(lambda: enqueue(task, operation_id))


def claim(operation_id: int) -> bool:
    """Take the row's lease for this run; False when another live run holds it.

    The lease lasts the worker timeout: no run can live longer, and since ``timeout`` is below
    ``retry``, a copy redelivered after a killed run always finds the lease expired.
    """
    return bool(
        Operation.objects.filter(pk=operation_id)
        .exclude(status__in=Operation.TERMINAL)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=Now()))
        .update(lease_expires_at=lease_end(), status=Operation.Status.RUNNING, lease_holder=lease_holder())
    )


def lease_end() -> Any:
    """When a lease taken now ends, in the database's clock: workers on several machines write and
    compare leases, and their own clocks may disagree by more than a lease is worth."""
    return Now() + timedelta(seconds=worker_timeout_seconds())


def lease_holder() -> str:
    """This process, as the row names the run holding its lease."""
    return f"{socket.gethostname()}:{os.getpid()}"


def release(operation: Operation, **changes: Any) -> None:
    """Save ``changes`` and give the lease up (the next run, or nobody, takes it)."""
    for field, value in changes.items():
        setattr(operation, field, value)
    operation.lease_expires_at = None
    operation.lease_holder = ""
    operation.save()


HOOKS_DUE = Operation.HOOKS_DUE  # in progress while a finished row's hooks are due (see :func:`finish`)


def finish(operation: Operation, status: str, message: str) -> str:
    """End the row, run the finish hooks its kind registered (see ``Section.finish_hooks``).

    A row with hooks is saved finished with ``progress[HOOKS_DUE]`` and a lease, both cleared
    once its hooks ran: a worker dying in between leaves the lease to expire, and
    :mod:`platformkit.core.takeover` runs the hooks then (a hook that calls the API marks what
    it sent on the rows it changes, so a second run does not send it again).
    """
    operation.status, operation.message, operation.finished_at = status, message, timezone.now()
    # Before the row says finished: a page seeing it finished reads again (its regions refresh
    # on operation-finished) and must get the state after the operation, not the cached one —
    # hooks may take seconds. (run_finish_hooks clears again after them, when there are any.)
    forget_cached_reads()
    if sections.finish_hooks(operation.kind):
        operation.progress = {**operation.progress, HOOKS_DUE: True}
        operation.lease_expires_at = lease_end()
        operation.lease_holder = lease_holder()
        operation.save()
        operation.refresh_from_db(fields=["lease_expires_at"])  # the expression's value, not itself
    else:
        release(operation)
    run_finish_hooks(operation)
    logger.info("operation %s %s: %s", operation.pk, status, message)
    return status


def run_finish_hooks(operation: Operation) -> None:
    """The finished row's hooks, then its lease given up (``finish``, or a takeover of it)."""
    hooks = sections.finish_hooks(operation.kind)
    for hook in hooks:
        hook(operation)
    if HOOKS_DUE in operation.progress:
        operation.progress = {key: value for key, value in operation.progress.items() if key != HOOKS_DUE}
        release(operation)
    if hooks:  # what they changed must show too (a kind without hooks: ``finish`` cleared already)
        forget_cached_reads()


def poll(
    operation_id: int,
    task: str,
    step: Step,
    *,
    first_pause: float = 0.5,
    max_pause: float = 5.0,
    timed_out: str = "Not done by the deadline.",
    gone: str | None = "The project no longer exists upstream",
    failing: str = "Checking failed",
    on_end: Callable[[Operation], None] | None = None,
) -> str:
    """The one polling loop: claim the row, call ``step`` with backoff (``first_pause``
    doubling to ``max_pause``, or a 429's ``Retry-After`` up to ``max_pause``) until it ends the row or the
    deadline passes, and hand over to a fresh run of ``task`` before the worker timeout.

    An API error is recorded on the row (``message``, ``progress["last_error"]``) and retried; a
    404 ends the row as failed with ``gone`` (``None``: retried like any other error). Returns
    the row's final status, ``"continued"`` after a hand-over, or ``"skipped"`` when the row is
    finished or another live run holds it (a redelivered copy).
    """
    budget, run_started = run_budget_seconds(), time.monotonic()
    if not claim(operation_id):
        return "skipped"
    operation = Operation.objects.get(pk=operation_id)
    operation.attempts += 1
    operation.started_at = operation.started_at or timezone.now()
    operation.save(update_fields=["attempts", "started_at", "updated_at"])
    # One call (with its retries) gets a quarter of a run and a pause at most half, so a fresh
    # run can always sit out the pause it inherits and still make its check.
    call_allowance = budget / 4
    max_pause = min(max_pause, budget / 2)
    client = get_client(cached=False, max_call_seconds=call_allowance)

    def end(status: str, message: str) -> str:
        if on_end is not None:
            on_end(operation)
        return finish(operation, status, message)

    while True:
        if timezone.now() >= operation.deadline:
            return end(Operation.Status.TIMED_OUT, f"{timed_out} {operation.message}".strip())
        wait = max(0.0, float(operation.progress.get("next_check_at", 0)) - time.time())
        if time.monotonic() - run_started + wait + call_allowance > budget:
            release(operation)
            enqueue(task, operation.pk)
            return "continued"
        time.sleep(wait)

        interval = float(operation.progress.get("interval") or first_pause)
        pause = interval
        try:
            outcome = step(operation, client)
        except errors.NotFoundError as exc:
            if gone is None:
                _record_error(operation, exc, failing)
            else:
                return end(Operation.Status.FAILED, f"{gone} (request id {exc.request_id or 'n/a'}).")
        except errors.APIError as exc:
            _record_error(operation, exc, failing)  # an outage must not end the wait
            if isinstance(exc, errors.RateLimitError) and exc.retry_after:
                pause = float(exc.retry_after)
        else:
            if outcome is not None:
                return end(*outcome)
        operation.progress = {
            **operation.progress,
            "checks": operation.progress.get("checks", 0) + 1,
            "interval": min(interval * 2, max_pause),
            "next_check_at": time.time() + min(pause, max_pause),
        }
        operation.save(update_fields=["progress", "message", "updated_at"])


def _record_error(operation: Operation, exc: errors.APIError, failing: str) -> None:
    operation.message = f"{failing}: {type(exc).__name__} ({exc.status or 'no response'}); retrying."
    operation.progress = {
        **operation.progress,
        "last_error": {"type": type(exc).__name__, "status": exc.status, "request_id": exc.request_id},
    }
