"""Tag "Secrets": a project's Edge Function secrets. Values go in; only digests come back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from platformkit.api._core import Call
from platformkit.api.types import Secret

from ._base import Resource, segment


class Secrets(Resource):
    def list(self, ref: str) -> list[Secret]:
        """GET /v1/projects/{ref}/secrets (``value`` is a SHA-256 digest, never the secret)."""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/secrets", cast=Secret.list_from_json))

    def create(self, ref: str, secrets: Mapping[str, str]) -> None:
        """POST /v1/projects/{ref}/secrets (201): create or overwrite, in bulk."""
        body = [{"name": name, "value": value} for name, value in secrets.items()]
        return self._run(Call[None]("POST", f"/v1/projects/{segment(ref)}/secrets", json=body))

    def delete(self, ref: str, names: Iterable[str]) -> None:
        """DELETE /v1/projects/{ref}/secrets (200) with the names as the body."""
        return self._run(Call[None]("DELETE", f"/v1/projects/{segment(ref)}/secrets", json=list(names)))
