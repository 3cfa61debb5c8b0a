"""Tag "Edge Functions"."""

from __future__ import annotations

from dataclasses import dataclass

from ._base import APIObject


@dataclass(frozen=True)
class EdgeFunction(APIObject):
    """``FunctionResponse`` / ``FunctionSlugResponse`` / ``DeployFunctionResponse``; times are
    milliseconds since the epoch."""

    id: str = ""
    slug: str = ""
    name: str = ""
    status: str = ""  # ACTIVE | REMOVED | THROTTLED
    version: int = 0
    created_at: int | None = None
    updated_at: int | None = None
    verify_jwt: bool | None = None
    import_map: bool | None = None
    entrypoint_path: str | None = None
    import_map_path: str | None = None
    ezbr_sha256: str | None = None
