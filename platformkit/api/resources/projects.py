"""Tag "Projects"."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from platformkit.api._core import Call
from platformkit.api.types import Project, ProjectRef, RegionsInfo, RestoreVersion, ServiceHealth

from ._base import Resource, segment

ALL_SERVICES = ("auth", "db", "db_postgres_user", "pooler", "realtime", "rest", "storage", "pg_bouncer")


def _without_none(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _restore_versions(data: dict[str, Any]) -> list[RestoreVersion]:
    return RestoreVersion.list_from_json(data["available_versions"])


class Projects(Resource):
    def list(self) -> list[Project]:
        """GET /v1/projects"""
        return self._run(Call("GET", "/v1/projects", cast=Project.list_from_json))

    def create(
        self,
        *,
        name: str,
        organization_slug: str,
        db_pass: str,
        region_selection: dict[str, str] | None = None,
        desired_instance_size: str | None = None,
        template_url: str | None = None,
    ) -> Project:
        """POST /v1/projects (201). Not replayed once it may have reached the server."""
        body = _without_none(
            name=name,
            organization_slug=organization_slug,
            db_pass=db_pass,
            region_selection=region_selection,
            desired_instance_size=desired_instance_size,
            template_url=template_url,
        )
        return self._run(Call("POST", "/v1/projects", json=body, cast=Project.from_json))

    def get(self, ref: str) -> Project:
        """GET /v1/projects/{ref}"""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}", cast=Project.from_json))

    def update(self, ref: str, *, name: str) -> ProjectRef:
        """PATCH /v1/projects/{ref}"""
        return self._run(Call("PATCH", f"/v1/projects/{segment(ref)}", json={"name": name}, cast=ProjectRef.from_json))

    def delete(self, ref: str) -> ProjectRef:
        """DELETE /v1/projects/{ref}"""
        return self._run(Call("DELETE", f"/v1/projects/{segment(ref)}", cast=ProjectRef.from_json))

    def health(
        self, ref: str, *, services: Sequence[str] = ALL_SERVICES, timeout_ms: int | None = None
    ) -> builtins.list[ServiceHealth]:
        """GET /v1/projects/{ref}/health; ``services`` is required by the API (sent repeated)."""
        params = _without_none(services=list(services), timeout_ms=timeout_ms)
        return self._run(
            Call("GET", f"/v1/projects/{segment(ref)}/health", params=params, cast=ServiceHealth.list_from_json)
        )

    def available_regions(
        self, organization_slug: str, *, continent: str | None = None, desired_instance_size: str | None = None
    ) -> RegionsInfo:
        """GET /v1/projects/available-regions"""
        params = _without_none(
            organization_slug=organization_slug, continent=continent, desired_instance_size=desired_instance_size
        )
        return self._run(Call("GET", "/v1/projects/available-regions", params=params, cast=RegionsInfo.from_json))

    def pause(self, ref: str) -> None:
        """POST /v1/projects/{ref}/pause (200, no body)"""
        return self._run(Call[None]("POST", f"/v1/projects/{segment(ref)}/pause"))

    def restore(self, ref: str) -> None:
        """POST /v1/projects/{ref}/restore (200, no body)"""
        return self._run(Call[None]("POST", f"/v1/projects/{segment(ref)}/restore"))

    def list_restore_versions(self, ref: str) -> builtins.list[RestoreVersion]:
        """GET /v1/projects/{ref}/restore"""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/restore", cast=_restore_versions))
