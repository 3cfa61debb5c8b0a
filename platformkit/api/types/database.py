"""Tag "Database": the migration history."""

from __future__ import annotations

from dataclasses import dataclass

from ._base import APIObject


@dataclass(frozen=True)
class Migration(APIObject):
    """An item of ``V1ListMigrationsResponse`` or a ``V1GetMigrationResponse``."""

    version: str = ""
    name: str | None = None
    statements: list[str] | None = None
    rollback: list[str] | None = None
    created_by: str | None = None
    idempotency_key: str | None = None
