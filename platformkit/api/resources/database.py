"""Tag "Database" (the migration endpoints so far; the rest come with the SQL issue)."""

from __future__ import annotations

from .._core import Call
from ._base import Resource, segment


class Database(Resource):
    def apply_migration(self, ref: str, *, query: str, name: str | None = None, rollback: str | None = None) -> None:
        """POST /v1/projects/{ref}/database/migrations (200, no body).

        Sends an ``Idempotency-Key`` (one per call, the same on every retry), so a retried
        request can never apply the migration twice."""
        body = {"query": query, **({"name": name} if name else {}), **({"rollback": rollback} if rollback else {})}
        return self._run(
            Call("POST", f"/v1/projects/{segment(ref)}/database/migrations", json=body, idempotency_key=True)
        )
