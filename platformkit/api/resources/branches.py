"""Tag "Environments": preview branches of a project (the branches issue fills in the rest)."""

from __future__ import annotations

from .._core import Call
from ..types import Branch
from ._base import Resource, segment


class Branches(Resource):
    def list(self, ref: str) -> list[Branch]:
        """GET /v1/projects/{ref}/branches (the default branch, production, included)."""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/branches", cast=Branch.list_from_json))
