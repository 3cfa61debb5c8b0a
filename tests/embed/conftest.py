from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.dashboard.conftest import api, make_project, operator, operator_client, organization, upstream  # noqa: F401 (fixtures)

HOST = "http://localhost:9000"


@pytest.fixture(autouse=True)
def embed_settings(settings: Any, db: None) -> None:
    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "EMBED_ALLOWED_ORIGINS": [HOST],
        "EMBED_HOST_KEYS": ["host-key-123"],
    }


@pytest.fixture
def embed_client() -> Callable[..., Client]:
    """A browser holding an embed session for ``ref`` with ``permissions`` (CSRF enforced)."""
    from platformkit.embed import create_embed_url

    def open_embed(
        ref: str, permissions: dict[str, Any] | None = None, *, subject: str = "end-user-7", **options: Any
    ) -> Client:
        client = Client(enforce_csrf_checks=True)
        url = create_embed_url(
            "http://testserver", ref, subject=subject, origin=HOST, permissions=permissions, **options
        )
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 303, response.content
        return client

    return open_embed
