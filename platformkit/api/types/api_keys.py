"""Tag "Secrets", API keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._base import APIObject


@dataclass(frozen=True)
class ApiKey(APIObject):
    """``ApiKeyResponse``: ``type`` is legacy, publishable or secret; ``api_key`` is masked for
    secret keys unless the request asked to reveal it."""

    name: str = ""
    id: str | None = None
    type: str | None = None
    api_key: str | None = None
    prefix: str | None = None
    description: str | None = None
    hash: str | None = None
    secret_jwt_template: dict[str, Any] | None = None
    inserted_at: str | None = None
    updated_at: str | None = None
