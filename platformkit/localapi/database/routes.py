"""Routes of ``database/query`` (and ``read-only``) and the migrations operations."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path

from platformkit.localapi.views import body, endpoint


def _query(api, request: HttpRequest, ref: str, *, read_only_endpoint: bool):
    return 201, api.database.query(ref, body(request), read_only_endpoint=read_only_endpoint)


def _apply(api, request: HttpRequest, ref: str):
    api.database.apply_migration(ref, body(request), idempotency_key=request.headers.get("Idempotency-Key"))
    return 200, {}  # the document declares no body; the MCP server parses one (docs/client-compatibility.md)


def _rollback(api, request: HttpRequest, ref: str):
    api.database.rollback_migrations(ref, request.GET.get("gte"))
    return 200, None


urlpatterns = [
    path(
        "v1/projects/<str:ref>/database/query",
        endpoint(
            post=lambda api, request, ref: _query(api, request, ref, read_only_endpoint=False),
        ),
    ),
    path(
        "v1/projects/<str:ref>/database/query/read-only",
        endpoint(
            post=lambda api, request, ref: _query(api, request, ref, read_only_endpoint=True),
        ),
    ),
    path(
        "v1/projects/<str:ref>/database/migrations",
        endpoint(
            get=lambda api, request, ref: (200, api.database.list_migrations(ref)),
            post=_apply,
            delete=_rollback,
        ),
    ),
    path(
        "v1/projects/<str:ref>/database/migrations/<str:version>",
        endpoint(
            get=lambda api, request, ref, version: (200, api.database.get_migration(ref, version)),
        ),
    ),
]
