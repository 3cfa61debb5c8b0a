"""Projects: the list, the create-project form, one project's overview (status, region,
database, health), the audited reveal of the database password we generated for it, pause,
resume and delete (behind the typed name); and an operation's live status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from platformkit.access import (
    changeable_project_or_403,
    dashboard_view,
    project_view,
    request_access,
    visible_project_or_404,
)
from platformkit.api import errors
from platformkit.core import reveals, takeover, upstream
from platformkit.core.banner import frame, remember_name
from platformkit.core.idempotency import idempotent, operator_key
from platformkit.core.post_only import post_form
from platformkit.core.project_states import project_state
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import Target, request_target
from platformkit.models import Operation
from platformkit.sections.projects import lifecycle, services
from platformkit.sections.projects.forms import ConfirmRefForm, ProjectCreateForm, RevealPasswordForm

FINISHED_EVENT = "platformkit:operation-finished"

# The list and create


@require_GET
@dashboard_view("projects", embeddable=False)
def project_list(request: HttpRequest) -> HttpResponse:
    listing = upstream.attempt(services.list_projects)
    # access._Ref declares a settable ``ref``; a frozen dataclass's is read-only (a fix for access.py)
    projects = request_access(request).filter_projects(listing.value or [])
    context = {
        "rows": services.project_rows(projects),
        "problem": listing.problem,
        "retry_url": url(request, "projects"),
    }
    return render_page(request, "platformkit/projects/list.html", context, section="projects", partial="project-table")


@require_http_methods(["GET", "POST"])
@dashboard_view("projects", embeddable=False)
@idempotent
def project_create(request: HttpRequest) -> HttpResponse:
    if not request_access(request).can_create_projects:
        raise PermissionDenied("platformkit: may not create projects")
    organizations = upstream.attempt(services.list_organizations)
    form = ProjectCreateForm(request.POST or None, organizations=organizations.value or [])
    slug = form.organization_slug()
    # Specific regions are offered when the API lists them; the smart groups always are.
    if slug:
        form.offer_regions(upstream.attempt(lambda: services.specific_regions(slug)).value or [])
    problem = organizations.problem
    if request.method == "POST" and problem is None and form.is_valid():
        data = form.cleaned_data
        try:
            operation = services.launch_project(
                user=request.user,
                name=data["name"],
                organization_slug=data["organization"],
                region_code=data["region"],
                instance_size=data["instance_size"],
            )
        except errors.APIError as exc:
            problem = upstream.describe(exc)
        else:
            return redirect(url(request, "project", operation.project_ref))
    # After a failed POST the way to retry is the form itself (it kept every value); a reload
    # link would drop them.
    retry_url = url(request, "project-create") if request.method == "GET" else None
    context = {"form": form, "problem": problem, "retry_url": retry_url}
    return render_page(request, "platformkit/projects/create.html", context, section="projects", partial="project-form")


# One project


@require_GET
@project_view("projects")
def target_banner(request: HttpRequest, ref: str) -> HttpResponse:
    """The banner alone (includes/target_banner.html), read again by every project page's banner
    when an operation on the page finishes: the target's state then is news."""
    context = frame(request_target(request), switcher=False)
    response = render(request, "platformkit/includes/target_banner.html", {"banner": context["target_banner"]})
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@project_view("projects")
def project_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """The project's overview; on a branch (``?branch=``), the branch's own status and health."""
    if reveals.spent(request):
        return _password(request, ref)
    target = request_target(request)
    # The full page waits PANEL_WAIT for the status and health; a panel's own request (HTMX)
    # waits for them, each within PANEL_TIMEOUT (core.panels).
    found = services.overview_panels(target.ref, wait=not request.htmx)  # type: ignore[attr-defined]
    project, health = found["project"], found["health"]
    operation = services.latest_operation(target.ref)
    if project is not None and project.problem and project.problem.kind == "not_found" and operation is None:
        raise Http404("No such project")
    value = project.value if project is not None else None
    if target.is_production:
        remember_name(ref, getattr(value, "name", None))
    context = {
        "ref": ref,
        "target": target,
        "overview_loading": project is None or health is None,
        "project": value,
        "project_problem": project.problem if project is not None else None,
        "state": project_state(value.status) if value is not None else None,
        "health": (health.value if health is not None else None) or [],
        "health_problem": health.problem if health is not None else None,
        "operation": operation,
        "operations": services.recent_operations(target.ref, operator_key(request)),
        "name": getattr(value, "name", None) or (operation.params.get("name") if operation else None),
        "has_credential": target.is_production and services.has_stored_password(ref),
        "retry_url": url(request, "project", ref) + target.query,
    }
    return render_page(
        request,
        "platformkit/projects/detail.html",
        context,
        section="projects",
        partial="project-overview",
        project_ref=ref,
    )


@dashboard_view("projects")
@post_form("project")
@idempotent
def reveal_password(request: HttpRequest, ref: str) -> HttpResponse:
    changeable_project_or_403(request, ref)
    if not request_access(request).can_reveal_credentials:
        raise PermissionDenied("platformkit: may not reveal credentials")
    if not RevealPasswordForm(request.POST).is_valid():
        return redirect(url(request, "project", ref))
    if not services.has_stored_password(ref):
        raise Http404("No stored password for this project")
    # Post/redirect/get: the password is shown by a one-time, no-store GET (``core.reveals``).
    return redirect(
        url(request, "project", ref) + "?" + urlencode({reveals.PARAM: reveals.issue(request, "db_password", ref)})
    )


def _password(request: HttpRequest, ref: str) -> HttpResponse:
    """The stored password, once per reveal token (a reload or Back says it was shown)."""
    shown = reveals.redeem(request, "db_password") == ref and request_access(request).can_reveal_credentials
    password = services.reveal_db_password(request.user, ref) if shown else None
    response = render_page(
        request,
        "platformkit/projects/password.html",
        {"ref": ref, "password": password},
        section="projects",
        project_ref=ref,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@project_view("projects", write=True, action="projects.pause")
@idempotent
def pause(request: HttpRequest, ref: str) -> HttpResponse:
    """GET: what pausing does, and the ref to type. POST: pause (``core.destructive``'s rule)."""
    context = _confirm_context(ref)
    if context["project"] is not None:
        context["preview"] = lifecycle.pause_preview(context["project"].name)
    if request.method == "POST" and context["project"] is not None:
        form = ConfirmRefForm(request.POST, action="projects.pause", ref=ref)
        if not form.is_valid():
            return _confirm_page(
                request, "pause", {**context, "error": form.error, "typed_ref": form.typed_ref}, status=400
            )
        return _lifecycle(request, ref, lifecycle.pause)
    return _confirm_page(request, "pause", context)


def _confirm_context(ref: str) -> dict[str, Any]:
    """The project (404 when it is gone) for a destructive action's confirmation page."""
    project = upstream.attempt(lambda: services.get_project(ref))
    if project.problem and project.problem.kind == "not_found":
        raise Http404("No such project")
    return {"ref": ref, "project": project.value, "problem": project.problem, "target": Target(ref, ref)}


def _confirm_page(request: HttpRequest, name: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render_page(
        request,
        f"platformkit/projects/{name}.html",
        context,
        section="projects",
        project_ref=context["ref"],
        status=status,
    )


@project_view("projects", write=True)
@post_form("project")
@idempotent
def resume(request: HttpRequest, ref: str) -> HttpResponse:
    return _lifecycle(request, ref, lifecycle.restore)


def _lifecycle(request: HttpRequest, ref: str, act: Callable[[Any, str], Operation]) -> HttpResponse:
    """Pause or resume (no fields to post): what went wrong is a message on the project's page."""
    try:
        act(request.user, ref)
    except lifecycle.LifecycleError as exc:
        messages.error(request, str(exc), fail_silently=True)
    except errors.APIError as exc:
        messages.error(request, upstream.describe(exc).message, fail_silently=True)
    return redirect(url(request, "project", ref))


@require_http_methods(["GET", "POST"])
@project_view("projects", write=True, action="projects.delete")
@idempotent
def delete(request: HttpRequest, ref: str) -> HttpResponse:
    """What deleting removes and the ref to type, then delete upstream and forget it here."""
    context = _confirm_context(ref)
    if context["project"] is None:
        return _confirm_page(request, "delete", context)
    name = context["project"].name
    context["preview"] = lifecycle.delete_preview(ref, name)
    if request.method == "POST":
        form = ConfirmRefForm(request.POST, action="projects.delete", ref=ref)
        if not form.is_valid():
            return _confirm_page(
                request, "delete", {**context, "error": form.error, "typed_ref": form.typed_ref}, status=400
            )
        try:
            lifecycle.delete(request.user, ref, project_name=name)
        except errors.APIError as exc:
            context["problem"] = upstream.describe(exc)
        else:
            messages.success(request, f"Project {name} was deleted.", fail_silently=True)
            return redirect(url(request, "projects"))
    return _confirm_page(request, "delete", context)


@project_view("projects")  # a viewer's own list: seeing the project is enough
@post_form("project")
def dismiss_operation(request: HttpRequest, ref: str, pk: int) -> HttpResponse:
    if not services.dismiss_operation(ref, operator_key(request), pk):
        raise Http404("No finished operation of this project")
    return redirect(url(request, "project", ref) + request_target(request).query)


# An operation's live status: what the page polls while a task works. It reads our database
# only, so any number of viewers cost the upstream API nothing.


@require_GET
@dashboard_view("projects")
def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    operation = get_object_or_404(Operation, pk=pk)
    # A branch's operation runs on the branch's ref; access is decided on its production project.
    project_ref = operation.production_ref
    visible_project_or_404(request, project_ref)
    takeover.resume_if_stalled(operation)  # a watched run lost with its worker restarts within seconds
    # The page names (and its links keep) the target the operation ran on: its production
    # project, and the branch when it ran on one (a branch's own ref is no project page).
    branch = operation.params.get("branch") if not operation.kind.startswith("branch.") else None
    on_branch = bool(branch) and operation.target_ref != project_ref
    request.platformkit_target = Target(  # type: ignore[attr-defined]
        project_ref, operation.target_ref if on_branch else project_ref, branch if on_branch else None
    )
    response = render_page(
        request,
        "platformkit/operations/detail.html",
        {"operation": operation, "ref": project_ref, "target": request_target(request)},
        section="projects",
        partial="operation-status",
        project_ref=project_ref,
    )
    if request.htmx and operation.is_settled:  # type: ignore[attr-defined]
        # The poll's last answer (its finish hooks have run too): regions showing upstream state
        # and the timeline refresh themselves once.
        trigger_client_event(response, FINISHED_EVENT)
    return response
