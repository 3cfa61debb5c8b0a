"""Tag "Organizations"."""

from __future__ import annotations

from platformkit.api._core import Call
from platformkit.api.types import Organization, OrganizationDetail

from ._base import Resource, segment


class Organizations(Resource):
    def list(self) -> list[Organization]:
        """GET /v1/organizations"""
        return self._run(Call("GET", "/v1/organizations", cast=Organization.list_from_json))

    def get(self, slug: str) -> OrganizationDetail:
        """GET /v1/organizations/{slug}"""
        return self._run(Call("GET", f"/v1/organizations/{segment(slug)}", cast=OrganizationDetail.from_json))

    def create(self, name: str) -> Organization:
        """POST /v1/organizations (201)"""
        return self._run(Call("POST", "/v1/organizations", json={"name": name}, cast=Organization.from_json))
