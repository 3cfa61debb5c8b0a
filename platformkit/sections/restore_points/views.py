"""Restore points: the timeline of a project's (or branch's) database, restore points by hand,
undo to one of them, and point-in-time recovery for production."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from platformkit.access import project_view
from platformkit.api import errors
from platformkit.core import upstream
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import Target, request_target
from platformkit.models import Operation, RestorePoint
from platformkit.sections.restore_points import services as recovery

SECTION = "restore_points"
TEMPLATE = "platformkit/restore_points/{}.html"


def _page(
    request: HttpRequest, name: str, context: dict[str, Any], *, partial: str | None = None, status: int = 200
) -> HttpResponse:
    target = request_target(request)
    return render_page(
        request,
        TEMPLATE.format(name),
        {"ref": target.project_ref, "target": target, **context},
        section=SECTION,
        partial=partial,
        project_ref=target.project_ref,
        status=status,
    )


def _timeline_url(request: HttpRequest, target: Target) -> str:
    return url(request, "restore-points", target.project_ref) + target.query


def _pitr_state(target: Target) -> dict[str, Any]:
    """PITR on or off (with the reason), and its window, for production only."""
    if not target.is_production:
        return {"pitr_reason": "Point-in-time recovery is for production only; on a branch, undo to a restore point."}
    window = upstream.attempt(lambda: recovery.pitr_window(target))
    if window.problem:
        return {"pitr_problem": window.problem}
    if window.value is None:
        return {"pitr_reason": "Point-in-time recovery is not enabled for this project (it is a paid add-on)."}
    earliest, latest = window.value
    return {
        "pitr_window": window.value,
        "pitr_min": f"{earliest:%Y-%m-%dT%H:%M:%S}",
        "pitr_max": f"{latest:%Y-%m-%dT%H:%M:%S}",
    }


def _timeline_context(request: HttpRequest, target: Target, **extra: Any) -> dict[str, Any]:
    kind = request.GET.get("kind") or None
    if kind not in recovery.TIMELINE_KINDS:
        kind = None
    operation = Operation.objects.filter(project_ref=target.ref, kind__startswith="restore_points.").first()
    return {
        "entries": recovery.timeline(target, kind),
        "kinds": recovery.TIMELINE_KINDS,
        "kind": kind,
        "operation": operation
        if operation and not operation.is_terminal or extra.get("show_operation")
        else operation
        if operation and operation.is_terminal and _recent(operation)
        else None,
        "timeline_url": _timeline_url(request, target),
        **_pitr_state(target),
        **extra,
    }


def _recent(operation: Operation) -> bool:
    from django.utils import timezone

    return bool(operation.finished_at and (timezone.now() - operation.finished_at).total_seconds() < 300)


@require_GET
@project_view(SECTION)
def timeline(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    return _page(request, "timeline", _timeline_context(request, target), partial="timeline")


@require_POST
@project_view(SECTION, write=True)
def create(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    name = request.POST.get("name", "")
    try:
        recovery.create_restore_point(request.user, target, name)
    except recovery.RecoveryError as exc:
        context = _timeline_context(request, target, create_error=str(exc), create_name=name)
        return _page(request, "timeline", context, status=400)
    except errors.APIError as exc:
        context = _timeline_context(request, target, create_problem=upstream.describe(exc), create_name=name)
        return _page(request, "timeline", context, status=200)
    return redirect(_timeline_url(request, target))


@require_http_methods(["GET", "POST"])
@project_view(SECTION, write=True, action="restore_points.undo")
def undo(request: HttpRequest, ref: str, point_id: int) -> HttpResponse:
    target = request_target(request)
    point = get_object_or_404(RestorePoint, pk=point_id, target_ref=target.ref)
    context: dict[str, Any] = {
        "point": point,
        "changes": recovery.changes_since(target, point),
        "not_reverted": recovery.NOT_REVERTED,
        "busy": recovery.active_recovery(target),
        "timeline_url": _timeline_url(request, target),
    }
    if request.method == "POST":
        typed = request.POST.get("confirm_name", "")
        try:
            recovery.undo(request.user, target, point, typed)
        except recovery.RecoveryError as exc:
            return _page(request, "undo", {**context, "error": str(exc), "typed": typed}, status=400)
        except errors.APIError as exc:
            return _page(request, "undo", {**context, "problem": upstream.describe(exc), "typed": typed})
        return redirect(_timeline_url(request, target))
    return _page(request, "undo", context)


@require_http_methods(["GET", "POST"])
@project_view(SECTION, write=True, action="restore_points.pitr")
def pitr(request: HttpRequest, ref: str) -> HttpResponse:
    """Two steps: pick a time (GET form → POST step=review), then confirm the data loss (step=confirm)."""
    target = request_target(request)
    if not target.is_production:
        raise Http404("Point-in-time recovery is for production only")
    state = _pitr_state(target)
    context: dict[str, Any] = {
        **state,
        "timeline_url": _timeline_url(request, target),
        "busy": recovery.active_recovery(target),
    }
    if request.method == "GET" or "pitr_window" not in state:
        return _page(request, "pitr", context)
    raw = request.POST.get("recovery_time", "")
    context["recovery_time"] = raw
    when = _parse_utc(raw)
    if when is None:
        return _page(request, "pitr", {**context, "error": "Pick a date and time (UTC) to restore to."}, status=400)
    earliest, latest = state["pitr_window"]
    if not earliest <= when <= latest:
        error = f"Pick a time between {earliest:%Y-%m-%d %H:%M:%S} and {latest:%Y-%m-%d %H:%M:%S} UTC."
        return _page(request, "pitr", {**context, "error": error}, status=400)
    context["when"] = when
    if request.POST.get("step") != "confirm":
        return _page(request, "pitr", {**context, "review": True})
    try:
        recovery.pitr(
            request.user, target, when, request.POST.get("confirm_ref", ""), request.POST.get("understood") == "yes"
        )
    except recovery.RecoveryError as exc:
        return _page(request, "pitr", {**context, "review": True, "error": str(exc)}, status=400)
    except errors.APIError as exc:
        return _page(request, "pitr", {**context, "review": True, "problem": upstream.describe(exc)})
    return redirect(_timeline_url(request, target))


def _parse_utc(raw: str) -> datetime | None:
    for layout in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"):
        try:
            return datetime.strptime(raw.strip(), layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None
