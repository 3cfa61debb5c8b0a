"""``GET /v1/projects/{ref}/config/database/pooler``: the pooler's one entry for the project's
primary database, or an empty list when this local API runs no pooler (the document lists no
404 for it; a project with no pooler config answers an empty list)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from platformkit.localapi.views import endpoint


def _configs(api: Any, request: Any, ref: str) -> tuple[int, list[dict[str, Any]]]:
    api.projects.require(ref)
    return 200, [api.pooler.config(ref)] if api.pooler is not None else []


urlpatterns = [
    path("v1/projects/<str:ref>/config/database/pooler", endpoint(get=_configs)),
]
