"""Runs the lints for one project or branch ref and answers ``V1ProjectAdvisorsResponse``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from platformkit.localapi.errors import require
from platformkit.localapi.instances.manager import Instances
from platformkit.localapi.store import ProjectRow

from .config_lints import config_lints
from .sql_lints import SQL_LINTS

LEVEL_ORDER = {"ERROR": 0, "WARN": 1, "INFO": 2}


class Advisors:
    def __init__(
        self,
        instances: Instances,
        project: Callable[[str], ProjectRow],
        config: Callable[[str, str], dict[str, Any]],
        pitr_days: Callable[[str], int],
        is_branch: Callable[[str], bool],
    ) -> None:
        self._instances = instances
        self._project = project
        self._config = config
        self._pitr_days = pitr_days
        self._is_branch = is_branch

    def security(self, ref: str, params: Mapping[str, str]) -> dict[str, Any]:
        lint_type = params.get("lint_type")
        require(lint_type in (None, "sql"), "lint_type must be sql")
        lints = self._sql_lints(ref, "SECURITY")
        if lint_type is None:
            lints += config_lints(
                self._config(ref, "auth"), pitr_days=self._pitr_days(ref), production=not self._is_branch(ref)
            )
        return {"lints": _sorted(lints)}

    def performance(self, ref: str) -> dict[str, Any]:
        return {"lints": _sorted(self._sql_lints(ref, "PERFORMANCE"))}

    def _sql_lints(self, ref: str, category: str) -> list[dict[str, Any]]:
        row = self._project(ref)
        require(
            row.status == "ACTIVE_HEALTHY", f"Project {ref} is {row.status}; advisors run on an ACTIVE_HEALTHY project"
        )
        exposed = str(self._config(ref, "postgrest").get("db_schema") or "")
        found: list[dict[str, Any]] = []
        # As the hosted advisor: the superuser reads the catalogs, in one transaction, rolled back,
        # nothing resolved through search_path (the lints call no tenant function).
        with self._instances.admin(ref) as conn, conn.transaction(force_rollback=True):
            conn.execute("set local search_path = ''")
            conn.execute("select set_config('pgrst.db_schemas', %s, true)", (exposed,))
            for lint in (lint for lint in SQL_LINTS if lint.category == category):
                for detail, metadata, cache_key in conn.execute(lint.sql, ()).fetchall():
                    found.append(
                        {
                            "name": lint.name,
                            "title": lint.title,
                            "level": lint.level,
                            "facing": "EXTERNAL",
                            "categories": [lint.category],
                            "description": lint.description,
                            "detail": detail,
                            "remediation": lint.remediation,
                            "metadata": metadata,
                            "cache_key": cache_key,
                        }
                    )
        return found


def _sorted(lints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(lints, key=lambda lint: (LEVEL_ORDER[lint["level"]], lint["name"], lint["cache_key"]))
