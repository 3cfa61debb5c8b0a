"""Tag "Organizations"."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._base import APIObject


@dataclass(frozen=True)
class Organization(APIObject):
    slug: str = ""
    name: str = ""
    id: str | None = None  # deprecated: use slug


@dataclass(frozen=True)
class OrganizationDetail(APIObject):
    id: str = ""
    name: str = ""
    plan: str | None = None
    opt_in_tags: list[str] = field(default_factory=list)
    allowed_release_channels: list[str] = field(default_factory=list)
