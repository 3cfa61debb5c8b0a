"""The projects list and the create-project form."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from platformkit.access import dashboard_view, request_access
from platformkit.api import errors
from platformkit.core import sections, upstream
from platformkit.core.client import get_client
from platformkit.core.rendering import render_page, url
from platformkit.sections.projects import services
from platformkit.sections.projects.forms import ProjectCreateForm


@require_GET
@dashboard_view("projects", embeddable=False)
def project_list(request: HttpRequest) -> HttpResponse:
    client = get_client()
    listing = upstream.attempt(client.projects.list)
    projects = request_access(request).filter_projects(listing.value or [])
    sizes = services.launched_sizes([project.ref for project in projects])
    refs = [project.ref for project in projects]
    findings: dict[str, Any] = {}
    for badges in sections.collect("project_badges"):  # the advisors' counts, from our database only
        findings.update(badges(refs))
    rows = [
        {"project": project, "size": sizes.get(project.ref, ""), "advisor": findings.get(project.ref)}
        for project in projects
    ]
    context = {"rows": rows, "problem": listing.problem, "retry_url": url(request, "projects")}
    return render_page(request, "platformkit/projects/list.html", context, section="projects", partial="project-table")


@require_http_methods(["GET", "POST"])
@dashboard_view("projects", embeddable=False)
def project_create(request: HttpRequest) -> HttpResponse:
    if not request_access(request).can_create_projects:
        raise PermissionDenied("platformkit: may not create projects")
    client = get_client()
    organizations = upstream.attempt(client.organizations.list)
    slug = request.POST.get("organization") or next((org.slug for org in organizations.value or []), None)
    # Specific regions are offered when the API lists them; the smart groups always are.
    regions = upstream.attempt(lambda: client.projects.available_regions(slug)) if slug else None
    specific = regions.value.specific_regions if regions is not None and regions.value is not None else []
    form = ProjectCreateForm(request.POST or None, organizations=organizations.value or [], specific_regions=specific)
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
