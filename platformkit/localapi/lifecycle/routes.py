"""Routes of pause, restore and restart.

The document declares no body for pause and restore, but the MCP server parses their answer
as JSON, so they answer ``{}`` (docs/client-compatibility.md); restart answers as the newer
document says: 200 with no content."""

from __future__ import annotations

from django.urls import path

from platformkit.localapi.views import endpoint


def _pause(api, request, ref: str):
    api.lifecycle.pause(ref)
    return 200, {}


def _restore(api, request, ref: str):
    api.lifecycle.restore(ref)
    return 200, {}


def _restart(api, request, ref: str):
    api.lifecycle.restart(ref)
    return 200, None


urlpatterns = [
    path("v1/projects/<str:ref>/pause", endpoint(post=_pause)),
    path(
        "v1/projects/<str:ref>/restore",
        endpoint(get=lambda api, request, ref: (200, api.lifecycle.restore_versions(ref)), post=_restore),
    ),
    path("v1/projects/<str:ref>/restart", endpoint(post=_restart)),
]
