"""Routes of the OpenAPI "Secrets" operations."""

from __future__ import annotations

from django.urls import path

from platformkit.localapi.secrets.service import array_body
from platformkit.localapi.views import endpoint


def _project(api, ref):
    api.projects.require(ref)
    return api.secrets


urlpatterns = [
    path(
        "v1/projects/<str:ref>/secrets",
        endpoint(
            get=lambda api, request, ref: (200, _project(api, ref).list(ref)),
            post=lambda api, request, ref: (201, _project(api, ref).create(ref, array_body(request.body))),
            delete=lambda api, request, ref: (200, _project(api, ref).delete(ref, array_body(request.body))),
        ),
    ),
]
