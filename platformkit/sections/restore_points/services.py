"""Restore points, undo and point-in-time recovery: what the dashboard does, free of HTTP.

The Management API can create, fetch and restore a restore point but not list them, so every
point made through the dashboard is kept as a :class:`RestorePoint` row; the timeline joins
those with the audit trail (migrations, merges, undos, restores) of the same target.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pglast
from django.db import transaction
from django.utils import timezone

from platformkit.api import errors
from platformkit.api.parallel import run_threads
from platformkit.conf import get_config
from platformkit.core import panels
from platformkit.core.audit import actor_label, audit
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.destructive import Preview, restore_point_first, taken_name
from platformkit.core.operations import WAIT_HEALTHY, enqueue, enqueue_on_commit, finish
from platformkit.core.targets import Target
from platformkit.models import AuditEvent, Operation, RestorePoint
from platformkit.sections.restore_points import report, tasks

logger = logging.getLogger(__name__)
NAME_MAX = 20
RECOVERY_KINDS = ("restore_points.undo", "restore_points.pitr")
CENSUS_BEFORE = "census_before"  # a recovery's params: the database as it was just before it
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
    detail: dict[str, Any] = {"name": name, "reason": reason, "target": target.ref, "branch": target.branch_name}
    present = _versions_now(target)
    if present is not None:  # what the point holds: the undo preview compares against it
        detail[MIGRATIONS_AT_POINT] = present
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


def undo(user: Any, target: Target, point: RestorePoint) -> tuple[Operation, Operation | None]:
    """Undo ``target`` to ``point`` (the form checked the confirmation), a restore point taken
    first (``core.destructive``): the recovery's operation and that point's, or None."""
    if point.status != RestorePoint.Status.AVAILABLE:
        raise RecoveryError(f"Restore point {point.name} is {point.status}; only an AVAILABLE point can be restored.")
    return _recover(user, target, "restore_points.undo", {"name": point.name, "restore_point": point.pk})


def pitr(user: Any, target: Target, when: datetime) -> tuple[Operation, Operation | None]:
    """Restore production to ``when`` (the form checked the confirmation and the window; it is
    checked again against the window as it is now), a restore point taken first."""
    if not target.is_production:
        raise RecoveryError("Point-in-time recovery is for production only; undo a branch to a restore point instead.")
    window = pitr_window(target)
    if window is None:
        raise RecoveryError("Point-in-time recovery is not enabled for this project.")
    earliest, latest = window
    if not earliest <= when <= latest:
        raise RecoveryError(f"Pick a time between {earliest:%Y-%m-%d %H:%M:%S} and {latest:%Y-%m-%d %H:%M:%S} UTC.")
    params = {"recovery_time_target_unix": int(when.timestamp()), "at": when.isoformat()}
    return _recover(user, target, "restore_points.pitr", params)


def _request_recovery(client: Any, kind: str, ref: str, params: dict[str, Any]) -> dict[str, Any]:
    """The API call that starts an undo or a PITR, from the operation's params; the census of the
    database just before it, for the report (``report.census``)."""
    before = report.census(client, ref)
    _send_recovery(client, kind, ref, params)
    return before


def _send_recovery(client: Any, kind: str, ref: str, params: dict[str, Any]) -> None:
    if kind == "restore_points.undo":
        client.backups.undo(ref, params["name"])
    else:
        client.backups.restore_pitr(ref, int(params["recovery_time_target_unix"]))


def recovery_preview(
    action: str, target: Target, since: datetime, title: str, point: RestorePoint | None = None
) -> Preview:
    """What an undo to ``point`` or a PITR to ``since`` reverts, as far as the API tells: the
    migrations present now that were not there then, and the tables they created.

    A migration's version is the second it was applied *where it was first applied*: one a
    merge brought from a branch is older than the merge, so versions alone miss it. Known
    instead: the versions recorded when the point was taken, else the migrations that arrived
    after ``since`` by a merge (the merge's record lists them) or were applied here since."""
    client = get_client(cached=False)
    try:
        history = client.database.list_migrations(target.ref)
    except errors.APIError:
        return Preview(action, title, note="The migration history could not be read: what is reverted is not listed.")
    recorded = _versions_at_point(target, point) if point is not None else None
    if recorded is not None:
        reverted = [m for m in history if m.version not in recorded]
    else:
        stamp = since.astimezone(UTC).strftime("%Y%m%d%H%M%S")
        arrived = _arrived_since(target, since)
        reverted = [m for m in history if m.version in arrived or (_is_version(m.version) and m.version > stamp)]
    items = []
    # One call per migration for its statements (the first TABLES_LOOKED_UP only), all at once:
    # the preview costs the slowest of them, not their sum.
    looked_up = run_threads(
        tuple(partial(_tables_created, client, target.ref, m.version) for m in reverted[:TABLES_LOOKED_UP])
    )
    for number, migration in enumerate(reverted):
        tables = (looked_up[number].value or []) if number < len(looked_up) else []
        removed = f"; table {', '.join(tables)} is dropped" if tables else ""
        items.append(f"Migration {migration.version} {migration.name or ''}".strip() + f" is reverted{removed}")
    return Preview(
        action,
        title,
        items=items,
        note="" if reverted else "No migration was applied since then (rows written since are still reverted).",
    )


MIGRATIONS_AT_POINT = "migrations"  # restore_points.create's detail: the versions the point holds
TABLES_LOOKED_UP = 20


def _is_version(version: str) -> bool:
    return len(version) == 14 and version.isdigit()


def _versions_now(target: Target) -> list[str] | None:
    try:
        return [m.version for m in get_client(cached=False).database.list_migrations(target.ref)]
    except errors.APIError:
        logger.warning("migrations of %s not recorded with its restore point", target.ref, exc_info=True)
        return None


def _versions_at_point(target: Target, point: RestorePoint) -> set[str] | None:
    """The versions recorded when ``point`` was asked for (None: not recorded, an older point)."""
    event = (
        AuditEvent.objects.filter(
            action="restore_points.create", outcome=AuditEvent.Outcome.SUCCESS, project_ref=target.project_ref
        )
        .filter(detail__target=target.ref, detail__name=point.name)
        .first()
    )
    versions = (event.detail or {}).get(MIGRATIONS_AT_POINT) if event is not None else None
    return set(versions) if isinstance(versions, list) else None


def _arrived_since(target: Target, since: datetime) -> set[str]:
    """Versions merges brought to ``target`` after ``since``: a merge counts from when its
    operation ended (still running: now), as its migrations are applied by then."""
    if not target.is_production:
        return set()
    arrived: set[str] = set()
    events = AuditEvent.objects.filter(
        project_ref=target.project_ref, action="branches.merge", outcome=AuditEvent.Outcome.SUCCESS
    )
    for event in events:
        detail = event.detail or {}
        pk = detail.get("operation")
        operation = Operation.objects.filter(pk=pk).first() if isinstance(pk, int) else None
        landed = (operation.finished_at or timezone.now()) if operation is not None else event.created_at
        if landed > since:
            arrived.update(str(version) for version in detail.get("migrations") or ())
    return arrived


def _tables_created(client: Any, ref: str, version: str) -> list[str]:
    """The tables a migration's statements create ([] when they cannot be read or parsed)."""
    try:
        statements = client.database.get_migration(ref, version).statements or []
        parsed = [stmt.stmt for text in statements for stmt in pglast.parse_sql(text)]
    except (errors.APIError, pglast.parser.ParseError):
        return []
    return [
        f"{stmt.relation.schemaname or 'public'}.{stmt.relation.relname}"
        for stmt in parsed
        if isinstance(stmt, pglast.ast.CreateStmt) and stmt.relation is not None
    ]


def pitr_window(target: Target) -> tuple[datetime, datetime] | None:
    """(earliest, now) when PITR is on; ``None`` when it is off. Upstream errors propagate; a
    hung API is cut at a panel's time limit (``core.panels``)."""
    info = panels.panel_client().backups.list(target.ref)
    if not info.pitr_enabled or info.pitr_window is None:
        return None
    earliest = datetime.fromtimestamp(info.pitr_window[0], tz=UTC)
    return earliest, timezone.now().replace(microsecond=0)


def changes_since(target: Target, point: RestorePoint) -> list[TimelineEntry]:
    """What undoing to ``point`` reverts, as far as our records know: later timeline entries."""
    # From when the point was asked for: a merge started right after it (the point taken before
    # it) is reverted although the point became AVAILABLE later.
    since = point.created_at
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
    """After an undo or PITR task ends: its report (what it reverted, ``report.compare``) is kept
    on the row for the pages, and its outcome joins the audit trail (and so the timeline)."""
    success = operation.status == Operation.Status.SUCCEEDED
    if success and CENSUS_BEFORE in operation.params:
        after = report.census(get_client(cached=False), operation.project_ref)
        params = {k: v for k, v in operation.params.items() if k != CENSUS_BEFORE}
        operation.params = {**params, "report": report.compare(operation.params[CENSUS_BEFORE], after)}
        operation.save(update_fields=["params", "updated_at"])
    AuditEvent.objects.create(
        actor=operation.created_by,
        actor_label=operation.params.get("actor", "system"),
        action=operation.kind,
        project_ref=operation.params.get("project", operation.project_ref),
        outcome=AuditEvent.Outcome.SUCCESS if success else AuditEvent.Outcome.FAILURE,
        detail={
            **{k: v for k, v in operation.params.items() if k not in ("actor", "project", CENSUS_BEFORE)},
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
        promoted = detail.get("migrations") or []
        brought = f" (migration{'s' if len(promoted) > 1 else ''} {', '.join(map(str, promoted))})" if promoted else ""
        return f"Branch {detail.get('branch') or detail.get('name') or ''} merged".replace("  ", " ") + brought
    if event.action == "branches.reset":
        return "Branch reset"
    return "Seed data applied"


def _recover(user: Any, target: Target, kind: str, params: dict[str, Any]) -> tuple[Operation, Operation | None]:
    """Start an undo or PITR. A restore point is taken first (``core.destructive``); while it is
    being taken the recovery waits (pending, not yet asked of the API: restoring now would race the
    snapshot), and :func:`after_point_taken` starts it once the point's own operation ends."""
    if active_recovery(target) is not None:
        raise RecoveryError("Another undo or restore of this database is still running; wait for it to finish.")
    label = (
        f"undo to {params['name']}" if kind == "restore_points.undo" else f"point-in-time recovery to {params['at']}"
    )
    taken = restore_point_first(user, kind, target, label)
    waiting = taken is not None and taken.status not in Operation.TERMINAL
    with transaction.atomic():
        # One recovery per target at a time: the row lock serialises two operators clicking at once.
        list(
            Operation.objects.select_for_update()
            .filter(project_ref=target.ref, kind__in=RECOVERY_KINDS)
            .exclude(status__in=Operation.TERMINAL)
        )
        if active_recovery(target) is not None:
            raise RecoveryError("Another undo or restore of this database is still running; wait for it to finish.")
        before = _call_recovery(user, target, kind, params) if not waiting else None
        operation = _operation(
            user,
            kind,
            target,
            {
                **params,
                "actor": actor_label(user),
                "project": target.project_ref,
                **({"after_operation": taken.pk, "after_point": taken_name(taken)} if waiting and taken else {}),
                **({CENSUS_BEFORE: before} if before is not None else {}),
            },
            deadline_seconds=get_config()["HEALTH_POLL_DEADLINE"],
        )
        if waiting:
            operation.message = f"Waiting for the restore point {taken_name(taken)} taken first."
            operation.save(update_fields=["message"])
        audit(
            user,
            kind,
            project_ref=target.project_ref,
            detail={**params, "target": target.ref, "operation": operation.pk, "phase": "started"},
        )
    if not waiting:
        forget_cached_reads()
        enqueue_on_commit(WAIT_HEALTHY, operation.pk)
    return operation, taken


def _call_recovery(user: Any, target: Target, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return _request_recovery(get_client(cached=False), kind, target.ref, params)
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


def after_point_taken(point_operation: Operation) -> None:
    """A finish hook of ``restore_points.create``: the recovery waiting for this point starts now
    (asked of the API, then the health wait), or fails, untouched, when the point could not be
    taken: a recovery without its way back is not run unasked."""
    waiting = (
        Operation.objects.filter(kind__in=RECOVERY_KINDS, params__after_operation=point_operation.pk)
        .exclude(status__in=Operation.TERMINAL)
        .first()
    )
    if waiting is None:
        return
    name = waiting.params.get("after_point", "")
    if point_operation.status != Operation.Status.SUCCEEDED:
        finish(
            waiting,
            Operation.Status.FAILED,
            f"The restore point {name} taken first could not be made ({point_operation.message}); nothing was"
            " restored. Try again.",
        )
        return
    # This hook may run twice (a worker dying in it: core.takeover runs it again), and a
    # recovery must be asked for once: what was sent is marked on the row before and after.
    requested = waiting.progress.get("recovery_requested")
    if requested == "sending":
        finish(
            waiting,
            Operation.Status.FAILED,
            f"The worker stopped while asking the API to restore to {name}: whether it started is unknown."
            " Check the project before undoing again.",
        )
        return
    if requested != "sent":
        client = get_client(cached=False)
        # The census comes before the mark: a worker dying while it counts has sent nothing, and
        # the hook's next run counts again rather than calling the recovery's start unknown.
        before = report.census(client, waiting.project_ref)
        waiting.progress = {**waiting.progress, "recovery_requested": "sending"}
        waiting.params = {**waiting.params, CENSUS_BEFORE: before}
        waiting.save(update_fields=["progress", "params", "updated_at"])
        try:
            _send_recovery(client, waiting.kind, waiting.project_ref, waiting.params)
        except errors.APIError as exc:
            finish(waiting, Operation.Status.FAILED, f"The API refused the recovery: {exc}")
            return
        waiting.progress = {**waiting.progress, "recovery_requested": "sent"}
    waiting.message = f"Restore point {name} taken; restoring."
    waiting.save(update_fields=["progress", "message", "params", "updated_at"])
    forget_cached_reads()
    enqueue(WAIT_HEALTHY, waiting.pk)


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
    branch = None if event.target_ref == event.project_ref else _branch_name(event.project_ref, event.target_ref)
    reason = "after seed data" if event.kind == "seed" else f"after {event.kind} {event.label}"
    restore_point_after_change(event.user, Target(event.project_ref, event.target_ref, branch), reason)


def _branch_name(project_ref: str, branch_ref: str) -> str:
    """A branch's name, as every other record names it (its ref when the API cannot say)."""
    try:
        branches = get_client().branches.list(project_ref)
    except errors.APIError:
        return branch_ref
    return next((branch.name for branch in branches if branch.project_ref == branch_ref), branch_ref)
