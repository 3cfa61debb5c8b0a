"""An operation's live status: what the page polls while a task works. It reads our database
only, so any number of viewers cost the upstream API nothing."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET
from django_htmx.http import trigger_client_event

from platformkit.access import dashboard_view, visible_project_or_404
from platformkit.core.rendering import render_page
from platformkit.models import Operation

FINISHED_EVENT = "platformkit:operation-finished"


@require_GET
@dashboard_view("projects")
def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    operation = get_object_or_404(Operation, pk=pk)
    # A branch's operation runs on the branch's ref; access is decided on its production project.
    visible_project_or_404(request, operation.params.get("project") or operation.project_ref)
    response = render_page(
        request,
        "platformkit/operations/detail.html",
        {"operation": operation},
        section="projects",
        partial="operation-status",
        project_ref=operation.project_ref,
    )
    if request.htmx and operation.is_terminal:  # type: ignore[attr-defined]
        # The poll's last answer: regions showing upstream state refresh themselves once.
        trigger_client_event(response, FINISHED_EVENT)
    return response
