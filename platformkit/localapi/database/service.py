"""``database/query`` (and its read-only form) and the migrations of a project or branch: each
call checks the ref, then runs on the instance through ``sqlrun`` with the query timeout, every
statement recorded in the project's ``postgres_logs``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from platformkit.localapi import sqlrun
from platformkit.localapi.instances.manager import Instances
from platformkit.localapi.sqlrun import StatementLog


class Database:
    def __init__(
        self,
        project: Callable[[str], object],
        instances: Instances,
        *,
        timeout_seconds: float,
        log: StatementLog,
    ) -> None:
        self._project = project
        self._instances = instances
        self._timeout = timeout_seconds
        self._log = log

    def query(self, ref: str, body: Mapping[str, Any], *, read_only_endpoint: bool) -> list[dict[str, Any]]:
        self._project(ref)
        return sqlrun.run_query(
            self._instances,
            ref,
            body,
            force_read_only=read_only_endpoint,
            timeout_seconds=self._timeout,
            log=self._log,
        )

    def apply_migration(self, ref: str, body: Mapping[str, Any], *, idempotency_key: str | None) -> None:
        self._project(ref)
        sqlrun.apply_migration(
            self._instances, ref, body, idempotency_key=idempotency_key, timeout_seconds=self._timeout, log=self._log
        )

    def rollback_migrations(self, ref: str, gte: str | None) -> None:
        self._project(ref)
        sqlrun.rollback_migrations(self._instances, ref, gte, timeout_seconds=self._timeout)

    def list_migrations(self, ref: str) -> list[dict[str, Any]]:
        self._project(ref)
        return sqlrun.list_migrations(self._instances, ref)

    def get_migration(self, ref: str, version: str) -> dict[str, Any]:
        self._project(ref)
        return sqlrun.get_migration(self._instances, ref, version)
