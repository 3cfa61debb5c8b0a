"""The local Management API's routes: the OpenAPI document's paths and methods."""

from __future__ import annotations

from django.urls import path, re_path

from .views import body, endpoint, not_found, query, services_param

handler404 = not_found

urlpatterns = [
    path("v1/organizations", endpoint(
        get=lambda api, request: (200, api.list_organizations()),
        post=lambda api, request: (201, api.create_organization(body(request))),
    )),
    path("v1/organizations/<str:slug>", endpoint(
        get=lambda api, request, slug: (200, api.get_organization(slug)),
    )),
    path("v1/organizations/<str:slug>/projects", endpoint(
        get=lambda api, request, slug: (200, api.organization_projects(slug, query(request))),
    )),
    path("v1/projects", endpoint(
        get=lambda api, request: (200, api.list_projects()),
        post=lambda api, request: (201, api.create_project(body(request))),
    )),
    path("v1/projects/available-regions", endpoint(
        get=lambda api, request: (200, api.available_regions(query(request))),
    )),
    path("v1/projects/<str:ref>", endpoint(
        get=lambda api, request, ref: (200, api.get_project(ref)),
        patch=lambda api, request, ref: (200, api.update_project(ref, body(request))),
        delete=lambda api, request, ref: (200, api.delete_project(ref)),
    )),
    path("v1/projects/<str:ref>/health", endpoint(
        get=lambda api, request, ref: (200, api.health(ref, services_param(request))),
    )),
    path("v1/projects/<str:ref>/pause", endpoint(
        post=lambda api, request, ref: (200, api.pause(ref)),
    )),
    path("v1/projects/<str:ref>/restore", endpoint(
        get=lambda api, request, ref: (200, api.restore_versions(ref)),
        post=lambda api, request, ref: (200, api.restore(ref)),
    )),
    # Anything else answers like the real API does for an unknown route: JSON, never HTML.
    re_path(r"^.*$", endpoint(**{method: lambda api, request: (404, {"message": f"No route for {request.method} {request.path}"}) for method in ("get", "post", "put", "patch", "delete", "head")})),
]
