"""One project: its overview (status, region, database, health) and the audited reveal of
the database password we generated for it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from platformkit.access import (
    changeable_project_or_403,
    dashboard_view,
    project_view,
    request_access,
    visible_project_or_404,
)
from platformkit.api import errors
from platformkit.conf import get_config
from platformkit.core import upstream
from platformkit.core.client import get_client, parallel
from platformkit.core.rendering import render_page, url
from platformkit.models import ProjectCredential
from platformkit.sections.projects import lifecycle, services


@require_GET
@dashboard_view("projects")
def project_detail(request: HttpRequest, ref: str) -> HttpResponse:
    visible_project_or_404(request, ref)
    client = get_client()
    # Both calls at once: the page costs the slower of them, not the sum.
    project_result, health_result = parallel(
        lambda: client.projects.get(ref),
        lambda: client.projects.health(ref, services=get_config()["HEALTH_SERVICES"]),
    )
    project, health = upstream.from_result(project_result), upstream.from_result(health_result)
    operation = services.latest_operation(ref)
    if project.problem and project.problem.kind == "not_found" and operation is None:
        raise Http404("No such project")
    context = {
        "ref": ref,
        "project": project.value,
        "project_problem": project.problem,
        "health": health.value or [],
        "health_problem": health.problem,
        "operation": operation,
        "name": getattr(project.value, "name", None) or (operation.params.get("name") if operation else ref),
        "has_credential": ProjectCredential.objects.filter(project_ref=ref).exists(),
        "retry_url": url(request, "project", ref),
    }
    return render_page(
        request,
        "platformkit/projects/detail.html",
        context,
        section="projects",
        partial="project-overview",
        project_ref=ref,
    )


@require_POST
@dashboard_view("projects")
def reveal_password(request: HttpRequest, ref: str) -> HttpResponse:
    changeable_project_or_403(request, ref)
    if not request_access(request).can_reveal_credentials:
        raise PermissionDenied("platformkit: may not reveal credentials")
    if request.POST.get("confirm") != "yes":
        return redirect(url(request, "project", ref))
    password = services.reveal_db_password(request.user, ref)
    if password is None:
        raise Http404("No stored password for this project")
    response = render_page(
        request,
        "platformkit/projects/password.html",
        {"ref": ref, "password": password},
        section="projects",
        project_ref=ref,
    )
    add_never_cache_headers(response)
    return response


@require_POST
@project_view("projects", write=True, action="projects.pause")
def pause(request: HttpRequest, ref: str) -> HttpResponse:
    return _lifecycle(request, ref, lifecycle.pause)


@require_POST
@project_view("projects", write=True)
def resume(request: HttpRequest, ref: str) -> HttpResponse:
    return _lifecycle(request, ref, lifecycle.restore)


def _lifecycle(request: HttpRequest, ref: str, act: Any) -> HttpResponse:
    try:
        act(request.user, ref)
    except lifecycle.LifecycleError as exc:
        messages.error(request, str(exc), fail_silently=True)
    except errors.APIError as exc:
        messages.error(request, upstream.describe(exc).message, fail_silently=True)
    return redirect(url(request, "project", ref))


@require_http_methods(["GET", "POST"])
@project_view("projects", write=True, action="projects.delete")
def delete(request: HttpRequest, ref: str) -> HttpResponse:
    """Typed confirmation of the project's name, then delete upstream and forget it here."""
    project = upstream.attempt(lambda: get_client().projects.get(ref))
    if project.problem and project.problem.kind == "not_found":
        raise Http404("No such project")
    context: dict[str, Any] = {"ref": ref, "project": project.value, "problem": project.problem}
    if request.method == "POST" and project.value is not None:
        typed = request.POST.get("confirm_name", "")
        try:
            lifecycle.delete(request.user, ref, project_name=project.value.name, typed_name=typed)
        except lifecycle.LifecycleError as exc:
            context.update(error=str(exc), typed=typed)
            return render_page(
                request, "platformkit/projects/delete.html", context, section="projects", project_ref=ref, status=400
            )
        except errors.APIError as exc:
            context.update(problem=upstream.describe(exc), typed=typed)
        else:
            messages.success(request, f"Project {project.value.name} was deleted.", fail_silently=True)
            return redirect(url(request, "projects"))
    return render_page(request, "platformkit/projects/delete.html", context, section="projects", project_ref=ref)
