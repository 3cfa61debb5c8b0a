"""Tag "Projects": projects, their health, regions and restore versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ._base import APIObject, Nested


@dataclass(frozen=True)
class ProjectDatabase(APIObject):
    host: str = ""
    version: str = ""
    postgres_engine: str = ""
    release_channel: str = ""


@dataclass(frozen=True)
class Project(APIObject):
    ref: str = ""
    name: str = ""
    organization_slug: str = ""
    region: str = ""
    status: str = ""
    created_at: str = ""
    database: ProjectDatabase | None = None
    organization_id: str | None = None  # deprecated
    id: str | None = None  # deprecated: use ref

    nested: ClassVar[Nested] = {"database": ProjectDatabase}


@dataclass(frozen=True)
class ProjectRef(APIObject):
    id: int = 0
    ref: str = ""
    name: str = ""


@dataclass(frozen=True)
class ServiceHealth(APIObject):
    name: str = ""
    status: str = ""
    healthy: bool | None = None  # deprecated: use status
    error: str | None = None
    info: dict[str, Any] | None = None


@dataclass(frozen=True)
class Region(APIObject):
    name: str = ""
    code: str = ""
    type: str = ""
    provider: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class RegionsInfo(APIObject):
    recommendations: dict[str, Any] = field(default_factory=dict)
    all: dict[str, Any] = field(default_factory=dict)

    @property
    def smart_groups(self) -> list[Region]:
        return Region.list_from_json(self.all.get("smartGroup", []))

    @property
    def specific_regions(self) -> list[Region]:
        return Region.list_from_json(self.all.get("specific", []))

    @property
    def recommended_smart_group(self) -> Region | None:
        group = self.recommendations.get("smartGroup")
        return Region.from_json(group) if group else None


@dataclass(frozen=True)
class RestoreVersion(APIObject):
    version: str = ""
    release_channel: str = ""
    postgres_engine: str = ""
