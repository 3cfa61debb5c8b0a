"""Routes of the OpenAPI "Organizations" and "Projects" operations (the lifecycle ones are in
``lifecycle``)."""

from __future__ import annotations

from django.urls import path

from platformkit.localapi.views import body, endpoint, query, services_param

urlpatterns = [
    path(
        "v1/organizations",
        endpoint(
            get=lambda api, request: (200, api.organizations.list()),
            post=lambda api, request: (201, api.organizations.create(body(request))),
        ),
    ),
    path(
        "v1/organizations/<str:slug>",
        endpoint(
            get=lambda api, request, slug: (200, api.organizations.get(slug)),
        ),
    ),
    path(
        "v1/organizations/<str:slug>/projects",
        endpoint(
            get=lambda api, request, slug: (200, api.organizations.projects(slug, query(request))),
        ),
    ),
    path(
        "v1/projects",
        endpoint(
            get=lambda api, request: (200, api.projects.list()),
            post=lambda api, request: (201, api.projects.create(body(request))),
        ),
    ),
    path(
        "v1/projects/available-regions",
        endpoint(
            get=lambda api, request: (200, api.organizations.available_regions(query(request))),
        ),
    ),
    path(
        "v1/projects/<str:ref>",
        endpoint(
            get=lambda api, request, ref: (200, api.projects.get(ref)),
            patch=lambda api, request, ref: (200, api.projects.update(ref, body(request))),
            delete=lambda api, request, ref: (200, api.projects.delete(ref)),
        ),
    ),
    path(
        "v1/projects/<str:ref>/health",
        endpoint(
            get=lambda api, request, ref: (200, api.projects.health(ref, services_param(request), query(request))),
        ),
    ),
]
