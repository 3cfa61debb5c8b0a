"""Route of ``v1-list-all-buckets``."""

from __future__ import annotations

from django.urls import path

from platformkit.localapi.views import endpoint

urlpatterns = [
    path(
        "v1/projects/<str:ref>/storage/buckets",
        endpoint(get=lambda api, request, ref: (200, api.storage.buckets(ref))),
    ),
]
