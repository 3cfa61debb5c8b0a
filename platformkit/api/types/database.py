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


@dataclass(frozen=True)
class PoolerConfig(APIObject):
    """An item of ``v1-get-pooler-config``: ``SupavisorConfigResponse``. ``connection_string``
    carries a placeholder where the password goes."""

    identifier: str = ""
    database_type: str = ""
    db_user: str = ""
    db_host: str = ""
    db_port: int = 0
    db_name: str = ""
    connection_string: str = ""
    pool_mode: str = ""
    default_pool_size: int | None = None
    max_client_conn: int | None = None
