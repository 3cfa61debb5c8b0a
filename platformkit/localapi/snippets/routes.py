"""Routes of the snippet operations (and the local extension that makes and deletes them)."""

from __future__ import annotations

from django.urls import path

from platformkit.localapi.views import body, endpoint, query

urlpatterns = [
    path(
        "v1/snippets",
        endpoint(
            get=lambda api, request: (200, api.snippets.list(query(request))),
            post=lambda api, request: (201, api.snippets.create(body(request))),
        ),
    ),
    path(
        "v1/snippets/<str:id>",
        endpoint(
            get=lambda api, request, id: (200, api.snippets.get(id)),
            delete=lambda api, request, id: (200, api.snippets.delete(id)),
        ),
    ),
]
