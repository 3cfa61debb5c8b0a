"""Audit trail pages: one project's trail, every visible project's, and their CSV exports."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from platformkit.access import dashboard_view, project_view, request_access
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.audit import services
from platformkit.sections.audit.forms import AuditQuery

SECTION = "audit"
TEMPLATE = "platformkit/audit/index.html"


def _trail(request: HttpRequest, ref: str | None) -> HttpResponse:
    form = AuditQuery(request.GET)
    events = services.scope(request_access(request).visible_refs, ref)
    args = [ref] if ref else []
    here = url(request, "audit" if ref else "audit-all", *args)
    context: dict[str, Any] = {
        "ref": ref,
        "query": form.values(),
        "actions": services.actions(events),
        "projects": [] if ref else services.projects(events),
        "outcomes": ["success", "failure"],
        "all_url": None if request_access(request).embedded else url(request, "audit-all"),
        "project_url": url(request, "audit", ref) if ref else None,
    }
    if not form.is_valid():
        context["input_error"] = form.first_error()
        return render_page(request, TEMPLATE, context, section=SECTION, project_ref=ref, status=400)
    selected = services.filtered(events, form.filters())
    found = services.page(selected, form.cleaned_data["after"])
    kept = {key: value for key, value in form.values().items() if value}
    on = request_target(request).params if ref else {}  # links stay on the branch the operator is on
    cursor = found.next_cursor
    after = {"after": f"{cursor[0].isoformat()}|{cursor[1]}"} if cursor else {}
    for event in found.events:
        event.readable = services.readable(event.detail)  # type: ignore[attr-defined]
    context.update(
        events=found.events,
        filtered=bool(kept),
        next_url=f"{here}?{urlencode({**kept, **on, **after})}" if cursor else None,
        first_url=f"{here}?{urlencode({**kept, **on})}" if form.cleaned_data["after"] else None,
        export_url=url(request, "audit-export" if ref else "audit-all-export", *args)
        + (f"?{urlencode({**kept, **on})}" if kept or on else ""),
    )
    return render_page(request, TEMPLATE, context, section=SECTION, project_ref=ref)


def _export(request: HttpRequest, ref: str | None) -> HttpResponse:
    form = AuditQuery(request.GET)
    if not form.is_valid():
        return HttpResponse(form.first_error(), status=400, content_type="text/plain; charset=utf-8")
    selected = services.filtered(services.scope(request_access(request).visible_refs, ref), form.filters())
    response = StreamingHttpResponse(services.export_csv(selected), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{ref or "all-projects"}.csv"'
    # The gate's type says HttpResponse; a streaming one is served just the same by Django.
    return cast(HttpResponse, response)


@require_GET
@project_view(SECTION)
def index(request: HttpRequest, ref: str) -> HttpResponse:
    return _trail(request, ref)


@require_GET
@project_view(SECTION)
def export(request: HttpRequest, ref: str) -> HttpResponse:
    return _export(request, ref)


@require_GET
@dashboard_view(SECTION, embeddable=False)
def all_projects(request: HttpRequest) -> HttpResponse:
    return _trail(request, None)


@require_GET
@dashboard_view(SECTION, embeddable=False)
def all_projects_export(request: HttpRequest) -> HttpResponse:
    return _export(request, None)
