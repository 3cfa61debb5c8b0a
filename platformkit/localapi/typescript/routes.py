"""Route of ``v1-generate-typescript-types``."""

from __future__ import annotations

from django.urls import path

from platformkit.localapi.views import endpoint, query

urlpatterns = [
    path(
        "v1/projects/<str:ref>/types/typescript",
        endpoint(get=lambda api, request, ref: (200, api.typescript.types(ref, query(request)))),
    ),
]
