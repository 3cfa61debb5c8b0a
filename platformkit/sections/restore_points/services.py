"""Restore points, undo and point-in-time recovery: what the dashboard does, free of HTTP.

The Management API can create, fetch and restore a restore point but not list them, so every
point made through the dashboard is kept as a :class:`RestorePoint` row; the timeline joins
those with the audit trail (migrations, merges, undos, restores) of the same target.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from platformkit.api import errors
from platformkit.conf import get_config
from platformkit.core.audit import actor_label, audit
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.operations import WAIT_HEALTHY, enqueue_on_commit
from platformkit.core.targets import Target
from platformkit.models import AuditEvent, Operation, RestorePoint
from platformkit.sections.restore_points import tasks

logger = logging.getLogger(__name__)
NAME_MAX = 20
RECOVERY_KINDS = ("restore_points.undo", "restore_points.pitr")
# Audit actions that change a database, shown on the timeline (written by the other sections).
TIMELINE_ACTIONS = {
    "migrations.apply": "migration",
    "migrations.rollback": "migration",
    "migrations.seed": "seed",
    "branches.merge": "merge",
    "branches.reset": "merge",
    "restore_points.create": "restore_point",
    "restore_points.undo": "recovery",
    "restore_points.pitr": "recovery",
}
TIMELINE_KINDS = {
    "restore_point": "Restore points",
    "migration": "Migrations",
    "seed": "Seed data",
    "merge": "Merges and resets",
    "recovery": "Undo and PITR",
}
# What the platform's undo leaves alone (the seed's list): said before anyone confirms.
NOT_REVERTED = (
    "Project configuration (Auth, Data API, Storage and Realtime settings)",
    "Secrets and API keys",
    "Edge Functions",
    "Files in Storage (only the database's pointers to them are reverted)",
)


class RecoveryError(Exception):
    """A request the operator must change (shown on the form, nothing lost)."""


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # a TIMELINE_KINDS key
    title: str
    actor: str
    outcome: str  # "success", "failure", or a restore point's status
    detail: dict[str, Any] = field(default_factory=dict)
    restore_point: RestorePoint | None = None


def point_name(raw: str) -> str:
    name = raw.strip()
    if not name:
        raise RecoveryError("Give the restore point a name.")
    if len(name) > NAME_MAX:
        raise RecoveryError(f"A restore point's name is at most {NAME_MAX} characters ({len(name)} given).")
    return name


def create_restore_point(user: Any, target: Target, name: str, *, reason: str = "by hand") -> Operation:
    """Ask the API for a restore point and start the task that waits for it to be AVAILABLE.

    Upstream errors propagate after a failure audit event."""
    name = point_name(name)
    if RestorePoint.objects.filter(target_ref=target.ref, name=name).exists():
        raise RecoveryError(f"There is already a restore point named {name!r} here; pick another name.")
    detail = {"name": name, "reason": reason, "target": target.ref, "branch": target.branch_name}
    try:
        point = get_client(cached=False).backups.create_restore_point(target.ref, name)
    except errors.APIError as exc:
        audit(
            user,
            "restore_points.create",
            project_ref=target.project_ref,
            success=False,
            detail={**detail, "error": str(exc)},
        )
        raise
    with transaction.atomic():
        row = RestorePoint.objects.create(
            project_ref=target.project_ref,
            target_ref=target.ref,
            branch_name=target.branch_name or "",
            name=name,
            reason=reason,
            status=point.status or RestorePoint.Status.PENDING,
            created_by=user if user is not None and user.is_authenticated else None,
            actor_label=actor_label(user),
        )
        operation = _operation(
            user, "restore_points.create", target, {"restore_point": row.pk, "name": name}, deadline_seconds=900
        )
        audit(
            user, "restore_points.create", project_ref=target.project_ref, detail={**detail, "operation": operation.pk}
        )
    enqueue_on_commit(tasks.TASK, operation.pk)
    return operation


def restore_point_after_change(user: Any, target: Target, reason: str) -> Operation | None:
    """Called after a migration or seed applied through the dashboard (``RESTORE_POINT_AFTER_CHANGE``).

    Never raises: the change itself succeeded, and a missing point is recorded, not fatal."""
    if not get_config()["RESTORE_POINT_AFTER_CHANGE"]:
        return None
    return automatic_restore_point(user, target, reason, prefix="auto-")


def restore_point_before(user: Any, target: Target, reason: str) -> Operation | None:
    """The ``before_destructive`` hook (``platformkit.core.destructive``): a point to come back
    to, taken before a merge, rollback, seed, undo or PITR. Never raises."""
    return automatic_restore_point(user, target, reason, prefix="pre-")


def automatic_restore_point(user: Any, target: Target, reason: str, *, prefix: str) -> Operation | None:
    """A restore point named ``<prefix><time>`` (unique on the target). Never raises: a missing
    point is logged, the change it goes with is not stopped by it."""
    stamp = prefix + timezone.now().strftime("%y%m%d-%H%M%S")
    taken = set(
        RestorePoint.objects.filter(target_ref=target.ref, name__startswith=stamp).values_list("name", flat=True)
    )
    name = next((stamp + suffix for suffix in ("", *"bcdefghijk") if stamp + suffix not in taken), stamp)
    try:
        return create_restore_point(user, target, name, reason=reason[:200])
    except (errors.APIError, RecoveryError):
        logger.warning("no restore point after %s on %s", reason, target.ref, exc_info=True)
        return None


def active_recovery(target: Target) -> Operation | None:
    return (
        Operation.objects.filter(project_ref=target.ref, kind__in=RECOVERY_KINDS)
        .exclude(status__in=Operation.TERMINAL)
        .first()
    )


def shown_operation(target: Target, *, show: bool = False) -> Operation | None:
    """The target's latest restore-points operation, for the timeline: while it runs and for five
    minutes after it ended (always, with ``show``)."""
    operation = Operation.objects.filter(project_ref=target.ref, kind__startswith="restore_points.").first()
    if operation is None:
        return None
    if show or not operation.is_terminal or _recently_finished(operation):
        return operation
    return None


def _recently_finished(operation: Operation) -> bool:
    return bool(operation.finished_at and (timezone.now() - operation.finished_at).total_seconds() < 300)


def undo(user: Any, target: Target, point: RestorePoint, typed_name: str) -> Operation:
    if typed_name.strip() != point.name:
        raise RecoveryError(f"Type the restore point's name, {point.name}, to confirm.")
    if point.status != RestorePoint.Status.AVAILABLE:
        raise RecoveryError(f"Restore point {point.name} is {point.status}; only an AVAILABLE point can be restored.")
    return _recover(
        user,
        target,
        "restore_points.undo",
        {"name": point.name, "restore_point": point.pk},
        lambda client: client.backups.undo(target.ref, point.name),
    )


def pitr(user: Any, target: Target, when: datetime, typed_ref: str, understood: bool) -> Operation:
    if not target.is_production:
        raise RecoveryError("Point-in-time recovery is for production only; undo a branch to a restore point instead.")
    if not understood or typed_ref.strip() != target.ref:
        raise RecoveryError(f"Tick the box and type the project ref, {target.ref}, to confirm the data loss.")
    window = pitr_window(target)
    if window is None:
        raise RecoveryError("Point-in-time recovery is not enabled for this project.")
    earliest, latest = window
    if not earliest <= when <= latest:
        raise RecoveryError(f"Pick a time between {earliest:%Y-%m-%d %H:%M:%S} and {latest:%Y-%m-%d %H:%M:%S} UTC.")
    stamp = int(when.timestamp())
    return _recover(
        user,
        target,
        "restore_points.pitr",
        {"recovery_time_target_unix": stamp, "at": when.isoformat()},
        lambda client: client.backups.restore_pitr(target.ref, stamp),
    )


def pitr_window(target: Target) -> tuple[datetime, datetime] | None:
    """(earliest, now) when PITR is on; ``None`` when it is off. Upstream errors propagate."""
    info = get_client().backups.list(target.ref)
    if not info.pitr_enabled or info.pitr_window is None:
        return None
    earliest = datetime.fromtimestamp(info.pitr_window[0], tz=UTC)
    return earliest, timezone.now().replace(microsecond=0)


def changes_since(target: Target, point: RestorePoint) -> list[TimelineEntry]:
    """What undoing to ``point`` reverts, as far as our records know: later timeline entries."""
    since = point.completed_on or point.created_at
    return [entry for entry in timeline(target) if entry.at > since and entry.restore_point != point]


def timeline(target: Target, kind: str | None = None) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(
            at=point.completed_on or point.created_at,
            kind="restore_point",
            title=f"Restore point {point.name}",
            actor=point.actor_label,
            outcome=point.status,
            detail={"reason": point.reason},
            restore_point=point,
        )
        for point in RestorePoint.objects.filter(target_ref=target.ref)
    ]
    events = AuditEvent.objects.filter(
        project_ref=target.project_ref, action__in=[a for a in TIMELINE_ACTIONS if a != "restore_points.create"]
    )
    entries += [
        TimelineEntry(
            at=event.created_at,
            kind=TIMELINE_ACTIONS[event.action],
            title=_event_title(event),
            actor=event.actor_label,
            outcome=event.outcome,
            detail=event.detail,
        )
        for event in events.order_by("-created_at")[:500]
        if _concerns(event, target)
    ]
    if kind:
        entries = [entry for entry in entries if entry.kind == kind]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def record_outcome(operation: Operation) -> None:
    """After an undo or PITR task ends: its outcome joins the audit trail (and so the timeline)."""
    success = operation.status == Operation.Status.SUCCEEDED
    AuditEvent.objects.create(
        actor=operation.created_by,
        actor_label=operation.params.get("actor", "system"),
        action=operation.kind,
        project_ref=operation.params.get("project", operation.project_ref),
        outcome=AuditEvent.Outcome.SUCCESS if success else AuditEvent.Outcome.FAILURE,
        detail={
            **{k: v for k, v in operation.params.items() if k not in ("actor", "project")},
            "target": operation.project_ref,
            "operation": operation.pk,
            "phase": "finished",
            "message": operation.message,
        },
    )


def _concerns(event: AuditEvent, target: Target) -> bool:
    """Audit events name the production project; ``detail["target"]`` says where a change ran."""
    detail = event.detail or {}
    if detail.get("target"):
        return bool(detail["target"] == target.ref)
    if event.action == "branches.reset":
        return detail.get("branch") == target.branch_name
    return target.is_production  # a merge lands in production


def _event_title(event: AuditEvent) -> str:
    detail = event.detail or {}
    if event.action == "restore_points.undo":
        return f"Undo to {detail.get('name', '?')}" + (" finished" if detail.get("phase") == "finished" else " started")
    if event.action == "restore_points.pitr":
        return f"Point-in-time recovery to {detail.get('at', '?')}" + (
            " finished" if detail.get("phase") == "finished" else " started"
        )
    if event.action == "migrations.seed":
        return "Seed data applied"
    if event.action.startswith("migrations."):
        verb = "applied" if event.action.endswith("apply") else "rolled back"
        return f"Migration {detail.get('name') or detail.get('version') or ''} {verb}".replace("  ", " ")
    if event.action == "branches.merge":
        return f"Branch {detail.get('branch') or detail.get('name') or ''} merged".replace("  ", " ")
    if event.action == "branches.reset":
        return "Branch reset"
    return "Seed data applied"


def _recover(user: Any, target: Target, kind: str, params: dict[str, Any], call: Any) -> Operation:
    with transaction.atomic():
        # One recovery per target at a time: the row lock serialises two operators clicking at once.
        list(
            Operation.objects.select_for_update()
            .filter(project_ref=target.ref, kind__in=RECOVERY_KINDS)
            .exclude(status__in=Operation.TERMINAL)
        )
        if active_recovery(target) is not None:
            raise RecoveryError("Another undo or restore of this database is still running; wait for it to finish.")
        try:
            call(get_client(cached=False))
        except errors.APIError as exc:
            audit(
                user,
                kind,
                project_ref=target.project_ref,
                success=False,
                detail={**params, "target": target.ref, "error": str(exc), "status": exc.status},
            )
            if exc.status == 409:
                raise RecoveryError(f"The API refused: {exc}") from exc
            raise
        operation = _operation(
            user,
            kind,
            target,
            {**params, "actor": actor_label(user), "project": target.project_ref},
            deadline_seconds=get_config()["HEALTH_POLL_DEADLINE"],
        )
        audit(
            user,
            kind,
            project_ref=target.project_ref,
            detail={**params, "target": target.ref, "operation": operation.pk, "phase": "started"},
        )
    forget_cached_reads()
    enqueue_on_commit(WAIT_HEALTHY, operation.pk)
    return operation


def _operation(user: Any, kind: str, target: Target, params: dict[str, Any], *, deadline_seconds: float) -> Operation:
    return Operation.objects.create(
        kind=kind,
        project_ref=target.ref,
        params={"project": target.project_ref, **params, "branch": target.branch_name},
        deadline=timezone.now() + timedelta(seconds=deadline_seconds),
        created_by=user if user is not None and user.is_authenticated else None,
    )


def on_schema_change(event: Any) -> None:
    """An after-change hook (``platformkit.core.hooks``): a restore point after each migration or seed."""
    if event.kind == "rollback":
        return
    branch = None if event.target_ref == event.project_ref else event.target_ref
    restore_point_after_change(
        event.user, Target(event.project_ref, event.target_ref, branch), f"after {event.kind} {event.label}"
    )
