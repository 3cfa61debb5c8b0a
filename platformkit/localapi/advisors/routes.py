"""Routes of the OpenAPI "Advisors" operations."""

from __future__ import annotations

from django.urls import path

from platformkit.localapi.views import endpoint, query

urlpatterns = [
    path(
        "v1/projects/<str:ref>/advisors/security",
        endpoint(
            get=lambda api, request, ref: (200, api.advisors.security(ref, query(request))),
        ),
    ),
    path(
        "v1/projects/<str:ref>/advisors/performance",
        endpoint(
            get=lambda api, request, ref: (200, api.advisors.performance(ref)),
        ),
    ),
]
