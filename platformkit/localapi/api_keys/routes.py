"""Routes of the OpenAPI API-key operations."""

from __future__ import annotations

from django.urls import path

from platformkit.localapi.validation import flag
from platformkit.localapi.views import body, endpoint, query


def _keys(api, ref):
    api.projects.require(ref)
    return api.api_keys


def _reveal(request) -> bool:
    return bool(flag(query(request), "reveal"))


urlpatterns = [
    path(
        "v1/projects/<str:ref>/api-keys",
        endpoint(
            get=lambda api, request, ref: (200, _keys(api, ref).list(ref, _reveal(request))),
            post=lambda api, request, ref: (201, _keys(api, ref).create(ref, body(request), _reveal(request))),
        ),
    ),
    path(
        "v1/projects/<str:ref>/api-keys/<str:id>",
        endpoint(
            get=lambda api, request, ref, id: (200, _keys(api, ref).get(ref, id, _reveal(request))),
            delete=lambda api, request, ref, id: (200, _keys(api, ref).delete(ref, id, _reveal(request))),
        ),
    ),
]
