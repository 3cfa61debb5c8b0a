"""Tag "Secrets": Edge Function secrets."""

from __future__ import annotations

from dataclasses import dataclass

from ._base import APIObject


@dataclass(frozen=True)
class Secret(APIObject):
    """``SecretResponse``: ``value`` is the digest the API shows, not the secret."""

    name: str = ""
    value: str = ""
    updated_at: str | None = None
