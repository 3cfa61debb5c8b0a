"""Tag "Storage": the project's buckets."""

from __future__ import annotations

from platformkit.api._core import Call
from platformkit.api.types import StorageBucket

from ._base import Resource, segment


class Storage(Resource):
    def list_buckets(self, ref: str) -> list[StorageBucket]:
        """GET /v1/projects/{ref}/storage/buckets (``v1-list-all-buckets``)."""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/storage/buckets", cast=StorageBucket.list_from_json))
