"""Pause, restore and delete a project: the upstream call, the operation a task finishes, the
audit trail, and (for delete) our own records of the project."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from platformkit.api import errors
from platformkit.conf import get_config
from platformkit.core.audit import audit
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.destructive import Preview
from platformkit.core.operations import WAIT_HEALTHY, enqueue_on_commit
from platformkit.models import EmbedGrant, EmbedSession, Operation, ProjectCredential, RestorePoint
from platformkit.sections.projects import tasks


class LifecycleError(Exception):
    """A request the operator must change (said on the page, nothing lost)."""


def pause(user: Any, ref: str) -> Operation:
    return _act(
        user,
        ref,
        "project.pause",
        lambda client: client.projects.pause(ref),
        tasks.WAIT_FOR_STATUS,
        {"until": "INACTIVE"},
    )


def restore(user: Any, ref: str) -> Operation:
    return _act(user, ref, "project.restore", lambda client: client.projects.restore(ref), WAIT_HEALTHY, {})


def pause_preview(name: str) -> Preview:
    return Preview(
        "projects.pause",
        f"Pause {name}",
        items=[
            "Every connection to the database drops; new ones are refused",
            "The Data API, Auth, Storage, Realtime and Edge Functions stop answering",
        ],
        note="The data stays. Restore the project to bring it back (it takes a few minutes).",
    )


def delete_preview(ref: str, name: str) -> Preview:
    """What deleting ``ref`` removes, as far as the API lists it (branches, Edge Functions) and
    what this dashboard keeps about it."""
    client = get_client(cached=False)
    items = [f"The project {name}, its database and its backups"]
    try:
        items += [f"Branch {b.name}" for b in client.branches.list(ref) if not b.is_default]
        items += [f"Edge Function {f.slug}" for f in client.functions.list(ref)]
    except errors.APIError:
        items.append("Its branches and Edge Functions (they could not be listed)")
    points = RestorePoint.objects.filter(project_ref=ref).count()
    items.append(f"Here: its stored password, operations, {points} restore point(s), embed grants and sessions")
    return Preview(
        "projects.delete", f"Delete {name}", items=items, note="This cannot be undone. The audit trail stays."
    )


def delete(user: Any, ref: str, *, project_name: str) -> None:
    """Delete upstream (the form checked the typed ref), then forget everything we kept about the
    project (its encrypted password, operations, restore points, embed grants and sessions); the
    audit trail stays."""
    try:
        get_client(cached=False).projects.delete(ref)
    except errors.NotFoundError:
        pass  # already gone upstream: still clean up here
    except errors.APIError as exc:
        audit(user, "project.delete", project_ref=ref, success=False, detail={"name": project_name, "error": str(exc)})
        raise
    with transaction.atomic():
        removed = {
            "credentials": ProjectCredential.objects.filter(project_ref=ref).delete()[0],
            "operations": Operation.objects.filter(project_ref=ref).delete()[0],
            "restore_points": RestorePoint.objects.filter(project_ref=ref).delete()[0],
            "embed_sessions": EmbedSession.objects.filter(project_ref=ref).delete()[0],
            "embed_grants": EmbedGrant.objects.filter(project_ref=ref).delete()[0],
        }
        audit(user, "project.delete", project_ref=ref, detail={"name": project_name, "removed": removed})
    forget_cached_reads()


def _act(user: Any, ref: str, kind: str, call: Any, task: str, params: dict[str, Any]) -> Operation:
    if (
        Operation.objects.filter(project_ref=ref, kind__in=("project.pause", "project.restore"))
        .exclude(status__in=Operation.TERMINAL)
        .exists()
    ):
        raise LifecycleError("A pause or restore of this project is still running; wait for it to finish.")
    try:
        call(get_client(cached=False))
    except errors.ValidationError as exc:
        audit(user, kind, project_ref=ref, success=False, detail={"error": exc.message})
        raise LifecycleError(exc.message or "The Management API refused.") from exc
    except errors.APIError as exc:
        audit(user, kind, project_ref=ref, success=False, detail={"error": str(exc)})
        raise
    with transaction.atomic():
        operation = Operation.objects.create(
            kind=kind,
            project_ref=ref,
            params=params,
            deadline=timezone.now() + timedelta(seconds=get_config()["HEALTH_POLL_DEADLINE"]),
            created_by=user if user is not None and user.is_authenticated else None,
        )
        audit(user, kind, project_ref=ref, detail={"operation": operation.pk})
    forget_cached_reads()
    enqueue_on_commit(task, operation.pk)
    return operation
