"""Restore points: the timeline of a project's (or branch's) database, restore points by hand,
undo to one of them, and point-in-time recovery for production."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods

from platformkit.access import project_view
from platformkit.api import errors
from platformkit.core import destructive, upstream
from platformkit.core.idempotency import idempotent
from platformkit.core.post_only import post_form
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import Target, request_target
from platformkit.models import RestorePoint
from platformkit.sections.restore_points import services as recovery
from platformkit.sections.restore_points.forms import PitrForm, RestorePointForm, UndoForm

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
    return {
        "entries": recovery.timeline(target, kind),
        "kinds": recovery.TIMELINE_KINDS,
        "kind": kind,
        "operation": recovery.shown_operation(target, show=bool(extra.get("show_operation"))),
        "timeline_url": _timeline_url(request, target),
        **_pitr_state(target),
        **destructive.taken_context(request, target),
        **extra,
    }


@require_GET
@project_view(SECTION)
def timeline(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    return _page(request, "timeline", _timeline_context(request, target), partial="timeline")


@project_view(SECTION, write=True)
@post_form("restore-points")
@idempotent
def create(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    form = RestorePointForm(request.POST)

    def refused(status: int = 400, **extra: Any) -> HttpResponse:
        context = _timeline_context(request, target, create_name=form.submitted("name"), **extra)
        return _page(request, "timeline", context, status=status)

    if not form.is_valid():
        return refused(create_error=form.error("name"))
    try:
        recovery.create_restore_point(request.user, target, form.cleaned_data["name"])
    except recovery.RecoveryError as exc:
        return refused(create_error=str(exc))
    except errors.APIError as exc:
        return refused(status=200, create_problem=upstream.describe(exc))
    return redirect(_timeline_url(request, target))


@require_http_methods(["GET", "POST"])
@project_view(SECTION, write=True, action="restore_points.undo")
@idempotent
def undo(request: HttpRequest, ref: str, point_id: int) -> HttpResponse:
    target = request_target(request)
    point = get_object_or_404(RestorePoint, pk=point_id, target_ref=target.ref)
    context: dict[str, Any] = {
        "point": point,
        "changes": recovery.changes_since(target, point),
        "preview": recovery.recovery_preview(
            "restore_points.undo", target, point.created_at, f"Undo to {point.name}", point
        ),
        "not_reverted": recovery.NOT_REVERTED,
        "busy": recovery.active_recovery(target),
        "timeline_url": _timeline_url(request, target),
    }
    if request.method != "POST":
        return _page(request, "undo", context)
    form = UndoForm(request.POST, point=point, target=target)
    context["typed"] = form.submitted("confirm_name")
    if not form.is_valid():
        return _page(request, "undo", {**context, "error": form.refusal, "typed_ref": form.typed_ref}, status=400)
    try:
        _, taken = recovery.undo(request.user, target, point)
    except recovery.RecoveryError as exc:
        return _page(request, "undo", {**context, "error": str(exc)}, status=400)
    except errors.APIError as exc:
        return _page(request, "undo", {**context, "problem": upstream.describe(exc)})
    return redirect(destructive.with_taken(_timeline_url(request, target), taken))


@require_http_methods(["GET", "POST"])
@project_view(SECTION, write=True, action="restore_points.pitr")
@idempotent
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
    form = PitrForm(request.POST, project_ref=target.ref, window=state["pitr_window"])
    valid = form.is_valid()
    context["recovery_time"] = form.submitted("recovery_time")
    if form.error("recovery_time"):  # step 1 again: no usable time
        return _page(request, "pitr", {**context, "error": form.error("recovery_time")}, status=400)
    when = form.cleaned_data["recovery_time"]
    context.update(
        when=when,
        review=True,
        preview=recovery.recovery_preview(
            "restore_points.pitr", target, when, f"Restore production to {when:%Y-%m-%d %H:%M:%S} UTC"
        ),
    )
    if not form.cleaned_data["confirm"]:  # step 2: the review of what is lost
        return _page(request, "pitr", context)
    if not valid:
        return _page(request, "pitr", {**context, "error": form.error("confirm_ref")}, status=400)
    try:
        _, taken = recovery.pitr(request.user, target, when)
    except recovery.RecoveryError as exc:
        return _page(request, "pitr", {**context, "error": str(exc)}, status=400)
    except errors.APIError as exc:
        return _page(request, "pitr", {**context, "problem": upstream.describe(exc)})
    return redirect(destructive.with_taken(_timeline_url(request, target), taken))
