"""Embedding one project's dashboard in a host's ``<iframe>``.

    from platformkit.embed import create_embed_url

    url = create_embed_url(request, "abcdefghijklmnopqrst", subject="user-42",
                           origin="https://app.example",
                           permissions={"sections": {"sql": "read", "migrations": "write"},
                                        "deny": ["restore_points.pitr"]})

The URL works once, for ``EMBED_GRANT_SECONDS``; opening it in the iframe starts a session
bound to that project, those sections and that host origin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.urls import reverse


def create_embed_url(
    request_or_base_url: HttpRequest | str,
    project_ref: str,
    *,
    subject: str,
    origin: str,
    permissions: Mapping[str, Any] | None = None,
    theme: Mapping[str, str] | None = None,
    ttl_seconds: int | None = None,
    namespace: str = "platformkit",
) -> str:
    """A one-time embed URL. The first argument makes it absolute: a request to this site, or
    the dashboard's base URL (``"https://platform.example"``) when minting outside a request."""
    from platformkit.embed.grants import mint

    link = mint(
        project_ref, subject=subject, origin=origin, permissions=permissions, theme=theme, ttl_seconds=ttl_seconds
    )
    path = reverse(f"{namespace}:embed-start")
    if isinstance(request_or_base_url, str):
        return link.url(request_or_base_url.rstrip("/") + path)
    return link.url(request_or_base_url.build_absolute_uri(path))


def revoke_embed_sessions(*, subject: str | None = None, project_ref: str | None = None) -> int:
    from platformkit.embed.grants import revoke

    return revoke(subject=subject, project_ref=project_ref)
