"""Routes of the OpenAPI "Analytics" operations."""

from __future__ import annotations

from django.urls import path

from platformkit.localapi.views import endpoint, query


def _logs(api, ref):
    api.projects.require(ref)
    return api.logs


urlpatterns = [
    path(
        "v1/projects/<str:ref>/analytics/endpoints/logs",
        endpoint(get=lambda api, request, ref: _logs(api, ref).query(ref, query(request))),
    ),
    path(  # deprecated upstream (v1-get-project-logs-all); served from the same store
        "v1/projects/<str:ref>/analytics/endpoints/logs.all",
        endpoint(get=lambda api, request, ref: (200, _logs(api, ref).query_all(ref, query(request)))),
    ),
    path(
        "v1/projects/<str:ref>/analytics/endpoints/usage.api-counts",
        endpoint(
            get=lambda api, request, ref: (200, _logs(api, ref).api_counts(ref, query(request))),
        ),
    ),
    path(
        "v1/projects/<str:ref>/analytics/endpoints/usage.api-requests-count",
        endpoint(
            get=lambda api, request, ref: (200, _logs(api, ref).requests_count(ref)),
        ),
    ),
]
