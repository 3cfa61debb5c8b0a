"""The claim flow: a project's claim token."""

from __future__ import annotations

from dataclasses import dataclass

from ._base import APIObject


@dataclass(frozen=True)
class ClaimToken(APIObject):
    """``ProjectClaimTokenResponse``; ``token`` is there only in the answer that created it."""

    token_alias: str = ""
    expires_at: str = ""
    created_at: str = ""
    created_by: str = ""
    token: str | None = None
