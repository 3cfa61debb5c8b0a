"""Auth, Data API (PostgREST), Storage and Realtime configuration per project: the defaults of
:mod:`.config_defaults` with what was patched stored on top (only the changed fields), checked
against the document's update schemas as the real API checks them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from psycopg.types.json import Jsonb

from platformkit.api.config_schema import SERVICES, validation_errors
from platformkit.localapi import catalog
from platformkit.localapi.control import ControlTables
from platformkit.localapi.errors import Problem, require
from platformkit.localapi.store import ProjectRow

from .config_defaults import defaults

SCHEMA_SQL = """
create table if not exists service_config (
    ref text not null,
    service text not null,
    overrides jsonb not null default '{}',
    updated_at timestamptz not null default now(),
    primary key (ref, service)
);
"""


def deep_merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class ServiceConfigs(ControlTables):
    SCHEMA_SQL = SCHEMA_SQL

    def __init__(
        self, control_url: str, project: Callable[[str], ProjectRow], jwt_secret: Callable[[str], str]
    ) -> None:
        super().__init__(control_url)
        self._project = project
        self._jwt_secret = jwt_secret

    def get(self, ref: str, service: str) -> dict[str, Any]:
        self._project(ref)
        config = deep_merge(defaults(service), self.overrides(ref).get(service, {}))
        if service == "postgrest":
            config["jwt_secret"] = self._jwt_secret(ref)  # the legacy JWT secret, as the real answer carries it
        return config

    def update(self, ref: str, service: str, body: Mapping[str, Any]) -> dict[str, Any]:
        row = self._project(ref)
        require(bool(body), f"Request body must change at least one {service} config field")
        problems = validation_errors(service, body)
        if problems:
            raise Problem(
                400,
                f"Invalid {service} config: "
                + "; ".join(f"{field}: {message}" for field, message in sorted(problems.items())),
            )
        if service == "auth":  # GoTrue must be up to take a change (the seed's advice to wait)
            require(
                row.status == catalog.ACTIVE_HEALTHY,
                f"The auth service is not ACTIVE_HEALTHY (project is {row.status}); retry when it is",
            )
        with self._connect() as conn:
            current = conn.execute(
                "select overrides from service_config where ref = %s and service = %s for update", (ref, service)
            ).fetchone()
            merged = deep_merge(current["overrides"] if current else {}, body)
            conn.execute(
                "insert into service_config (ref, service, overrides) values (%s, %s, %s)"
                " on conflict (ref, service) do update set overrides = excluded.overrides, updated_at = now()",
                (ref, service, Jsonb(merged)),
            )
        return self.get(ref, service)

    def overrides(self, ref: str) -> dict[str, dict[str, Any]]:
        """service -> the fields changed from the defaults (what a claim would carry along)."""
        with self._connect() as conn:
            rows = conn.execute("select service, overrides from service_config where ref = %s", (ref,)).fetchall()
        return {row["service"]: row["overrides"] for row in rows if row["service"] in SERVICES}

    def forget(self, ref: str) -> None:
        with self._connect() as conn:
            conn.execute("delete from service_config where ref = %s", (ref,))
