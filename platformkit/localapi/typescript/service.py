"""Generating a project's TypeScript types from its real catalog, in a read-only transaction."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from platformkit.localapi import sqlrun
from platformkit.localapi.errors import require
from platformkit.localapi.instances.manager import Instances

from . import catalog
from .render import Renderer

SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$-]*$")


def schemas_param(params: Mapping[str, str]) -> list[str]:
    """``included_schemas``: comma-separated names, ``public`` when absent (as documented)."""
    names = [name.strip() for name in (params.get("included_schemas") or "public").split(",") if name.strip()]
    require(bool(names), "included_schemas must name at least one schema")
    bad = [name for name in names if not SCHEMA_NAME.match(name)]
    require(not bad, f"included_schemas: {', '.join(repr(name) for name in bad)} is not a schema name")
    return list(dict.fromkeys(names))


class TypeScript:
    def __init__(self, project: Callable[[str], object], instances: Instances, *, timeout_seconds: float) -> None:
        self._project = project
        self._instances = instances
        self._timeout = timeout_seconds

    def types(self, ref: str, params: Mapping[str, str]) -> dict[str, Any]:
        self._project(ref)
        schemas = schemas_param(params)
        with sqlrun.project_transaction(self._instances, ref, read_only=True, timeout_seconds=self._timeout) as conn:
            found = catalog.read(conn, schemas)
        default = "public" if "public" in schemas else schemas[0]
        return {"types": Renderer(found).render(default)}
