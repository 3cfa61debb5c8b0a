"""Taking over an operation whose run died with its worker.

With django-q2's ORM broker, a task whose worker died is handed out again after
``Q_CLUSTER["retry"]`` seconds, and the new run finds the row's lease expired (see
:func:`platformkit.core.operations.claim`). The Redis broker, the one for workers on several
machines, never hands a task out twice: it pops the task off its list (``BLPOP``) and its
``acknowledge`` does nothing, so a task lost with a SIGKILLed ``qcluster`` (running, or already
fetched into that cluster's own queue) is gone, and its row would say "running" for ever.

So every row records the task that drives it (``Operation.task``, written by
``operations.enqueue``), and :func:`resume_stalled` enqueues it again for rows nobody runs:

- *running* with its lease expired: a run never outlives the worker timeout, which is the
  lease's length, so the run that held it is dead;
- *queued* (no lease) and untouched for longer than the worker timeout: its task was lost
  before any worker claimed it (a live cluster starts a queued task within seconds).

A finished row whose finish hooks did not all run (``progress[HOOKS_DUE]``, see
``operations.finish``: a hook may start the next operation, as a restore point taken before an
undo starts the undo) is handed to :data:`HOOKS_TASK` the same way once its lease expires.

It runs from a django-q2 schedule (:data:`SCHEDULE_NAME`, every minute, on whichever worker is
alive) and whenever a page polls the row (:func:`resume_if_stalled`), so a watched operation is
taken over seconds after its lease expires. Taking a row over is one conditional ``UPDATE``:
of two processes that find it stalled at once, one enqueues. A copy too many would still be
harmless: ``claim`` lets one run hold the row, and a step carries on from what the row records.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.apps import AppConfig, apps
from django.db.models import Q, QuerySet
from django.db.models.functions import Now
from django.db.models.signals import post_migrate

from platformkit.core.operations import (
    HOOKS_DUE,
    enqueue,
    lease_end,
    lease_holder,
    release,
    run_finish_hooks,
    worker_timeout_seconds,
)
from platformkit.models import Operation

__all__ = [
    "HOOKS_TASK",
    "SCHEDULE_NAME",
    "TASK",
    "connect",
    "ensure_schedule",
    "finish_hooks",
    "resume_if_stalled",
    "resume_stalled",
    "stalled",
]

logger = logging.getLogger(__name__)

SCHEDULE_NAME = "platformkit-operations-takeover"
TASK = "platformkit.core.takeover.resume_stalled"
HOOKS_TASK = "platformkit.core.takeover.finish_hooks"
HOOK_FAILURES = "finish_hook_failures"  # progress key: runs of the hooks' task that raised
HOOK_ATTEMPTS = 3


def stalled() -> QuerySet[Operation]:
    """Unfinished rows with a task that no live run holds (see the module docstring)."""
    queued_before = Now() - timedelta(seconds=worker_timeout_seconds())
    return (
        Operation.objects.exclude(status__in=Operation.TERMINAL)
        .exclude(task="")
        .filter(Q(lease_expires_at__lt=Now()) | Q(lease_expires_at__isnull=True, updated_at__lt=queued_before))
    )


def _take_over(operation: Operation) -> bool:
    """Enqueue the row's task again, unless another process took it over (or a run claimed it)
    since it was read: the UPDATE asks again whether the row is stalled (PostgreSQL re-checks
    the condition on the row it waited for), and a taken-over row is not — its lease is gone
    and its time fresh. (Not matched on the values read: on SQLite a time stamped by the
    database does not compare equal to the same time read back.)"""
    taken = stalled().filter(pk=operation.pk).update(lease_expires_at=None, lease_holder="", updated_at=Now())
    if not taken:
        return False
    logger.warning(
        "operation %s (%s) was not running (lease %s, held by %r): its task %s is enqueued again",
        operation.pk,
        operation.kind,
        operation.lease_expires_at,
        operation.lease_holder,
        operation.task,
    )
    enqueue(operation.task, operation.pk)
    return True


def hooks_stalled() -> QuerySet[Operation]:
    """Finished rows whose hooks' run died: its lease expired with ``HOOKS_DUE`` still set, or
    the hooks' task handed over (no lease) was itself lost before it ran (a broker dropping it
    with its cluster, an enqueue that failed): without the second, such a row stayed due forever
    and its page polled it forever."""
    queued_before = Now() - timedelta(seconds=worker_timeout_seconds())
    return Operation.objects.filter(status__in=Operation.TERMINAL, progress__has_key=HOOKS_DUE).filter(
        Q(lease_expires_at__lt=Now()) | Q(lease_expires_at__isnull=True, updated_at__lt=queued_before)
    )


def _hand_hooks_over(operation: Operation) -> bool:
    taken = (
        hooks_stalled()
        .filter(pk=operation.pk)
        .update(lease_expires_at=None, lease_holder="", updated_at=Now())  # its time: when handed over
    )
    if taken:
        logger.warning(
            "operation %s (%s) finished but its hooks' run died: they run again", operation.pk, operation.kind
        )
        enqueue(HOOKS_TASK, operation.pk)
    return bool(taken)


def finish_hooks(operation_id: int) -> str:
    """The task running a finished row's due hooks, holding its lease while they run."""
    held = (
        Operation.objects.filter(pk=operation_id, status__in=Operation.TERMINAL, progress__has_key=HOOKS_DUE)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=Now()))
        .update(lease_expires_at=lease_end(), lease_holder=lease_holder())
    )
    if not held:
        return "skipped"
    operation = Operation.objects.get(pk=operation_id)
    try:
        run_finish_hooks(operation)
    except Exception:
        # A hook that fails every time is run again at every takeover, and the row's page polls
        # it meanwhile: after HOOK_ATTEMPTS runs the row is settled as it is, the failure said.
        failures = int(operation.progress.get(HOOK_FAILURES, 0)) + 1
        if failures < HOOK_ATTEMPTS:
            Operation.objects.filter(pk=operation_id).update(progress={**operation.progress, HOOK_FAILURES: failures})
            raise
        logger.exception(
            "operation %s (%s): its finish steps failed %s times; given up", operation_id, operation.kind, failures
        )
        progress = {k: v for k, v in operation.progress.items() if k not in (HOOKS_DUE, HOOK_FAILURES)}
        release(operation, progress=progress, message=f"{operation.message} (its follow-up steps failed: see the logs)")
        return "failed"
    return "done"


def resume_stalled() -> int:
    """Take over every stalled row (the schedule's task); returns how many were enqueued."""
    runs = sum(_take_over(operation) for operation in stalled())
    return runs + sum(_hand_hooks_over(operation) for operation in hooks_stalled())


def resume_if_stalled(operation: Operation) -> bool:
    """A page polling ``operation``: take it over if it is stalled. Whether it is, is the database's
    clock's to say (as for the sweep): one conditional UPDATE, matching no row for a live run."""
    if operation.is_terminal:
        return HOOKS_DUE in operation.progress and _hand_hooks_over(operation)
    return bool(operation.task) and _take_over(operation)


def ensure_schedule(**_: Any) -> None:
    """The sweep's schedule, every minute (a post_migrate receiver). Several clusters share it:
    django-q2's scheduler locks a due schedule, so one of them runs it."""
    if not apps.is_installed("django_q"):
        return
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": TASK, "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1},
    )


def connect(app_config: AppConfig) -> None:
    post_migrate.connect(ensure_schedule, sender=app_config, dispatch_uid="platformkit-operations-takeover")
