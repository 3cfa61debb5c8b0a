"""Tags "Auth", "Rest", "Storage", "Realtime config": each service's configuration, read and
patched as a plain mapping whose fields are the document's (see :mod:`..config_schema`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from platformkit.api._core import Call
from platformkit.api.config_schema import SERVICES

from ._base import Resource, segment


def _path(service: str, ref: str) -> str:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    return SERVICES[service][0].replace("{ref}", segment(ref))


class ServiceConfig(Resource):
    def get(self, ref: str, service: str) -> dict[str, Any]:
        """GET the service's config: ``auth`` (config/auth), ``postgrest``, ``storage`` (config/storage)
        or ``realtime`` (config/realtime)."""
        return self._run(Call("GET", _path(service, ref)))

    def update(self, ref: str, service: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        """PATCH only the changed fields. Auth and PostgREST answer with the new config; storage
        (200) and realtime (204) answer with nothing."""
        return self._run(Call("PATCH", _path(service, ref), json=dict(changes)))
