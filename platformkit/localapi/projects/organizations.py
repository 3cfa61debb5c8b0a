"""The organizations: listed, created, read, and their projects filtered and sorted as the real
API does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from platformkit.localapi import catalog, shapes, validation
from platformkit.localapi.errors import Problem, require
from platformkit.localapi.store import Store


class Organizations:
    def __init__(self, store: Store) -> None:
        self._store = store

    def require(self, slug: str, status: int = 404) -> dict[str, Any]:
        """The organization's record; ``Problem(status)`` when there is none (400 where the
        slug comes in a body, 404 in a path)."""
        validation.check_slug(slug)
        row = self._store.organization(slug)
        if row is None:
            raise Problem(status, f"Organization {slug} not found")
        return row

    def list(self) -> list[dict[str, Any]]:
        return [shapes.organization(row) for row in self._store.organizations()]

    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return shapes.organization(self._store.create_organization(validation.organization_name(body)))

    def get(self, slug: str) -> dict[str, Any]:
        return shapes.organization_detail(self.require(slug))

    def projects(self, slug: str, params: Mapping[str, str]) -> dict[str, Any]:
        self.require(slug)
        offset = validation.int_param(params, "offset", 0, 0, None)
        limit = validation.int_param(params, "limit", 100, 1, 100)
        sort = validation.choice_param(params, "sort", catalog.ORGANIZATION_PROJECT_SORTS, "name_asc")
        statuses = [status for status in params.get("statuses", "").split(",") if status]
        unknown = [status for status in statuses if status not in catalog.PROJECT_STATUSES]
        require(not unknown, f"statuses: unknown project status {', '.join(unknown)}")
        search = params.get("search", "").lower()
        rows = [
            row
            for row in self._store.projects(slug)
            if (not search or search in row.name.lower()) and (not statuses or row.status in statuses)
        ]
        key, direction = str(sort).split("_")
        rows.sort(
            key=(lambda row: row.name.lower()) if key == "name" else (lambda row: row.created_at),
            reverse=direction == "desc",
        )
        return {
            "projects": [shapes.organization_project(row) for row in rows[offset : offset + limit]],
            "pagination": {"count": len(rows), "limit": limit, "offset": offset},
        }

    def available_regions(self, params: Mapping[str, str]) -> dict[str, Any]:
        slug = params.get("organization_slug")
        require(bool(slug), "organization_slug is required")
        self.require(str(slug), status=400)
        continent = validation.choice_param(params, "continent", tuple(catalog.CONTINENT_SMART_GROUP))
        validation.choice_param(params, "desired_instance_size", catalog.INSTANCE_SIZES)
        return shapes.regions_info(catalog.CONTINENT_SMART_GROUP[continent or "NA"])
