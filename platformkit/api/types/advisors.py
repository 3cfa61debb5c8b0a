"""Tag "Advisors": lints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._base import APIObject


@dataclass(frozen=True)
class Lint(APIObject):
    """One finding of ``V1ProjectAdvisorsResponse.lints``; ``cache_key`` identifies it across runs."""

    name: str = ""
    title: str = ""
    level: str = ""  # ERROR | WARN | INFO
    facing: str = ""
    categories: list[str] = field(default_factory=list)
    description: str = ""
    detail: str = ""
    remediation: str = ""
    metadata: dict[str, Any] | None = None
    cache_key: str = ""

    @classmethod
    def list_from_response(cls, data: dict[str, Any]) -> list[Lint]:
        return cls.list_from_json(data.get("lints", []))
