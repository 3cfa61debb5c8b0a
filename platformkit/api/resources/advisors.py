"""Tag "Advisors": the security and performance lints of a project (or a branch, by its ref)."""

from __future__ import annotations

from platformkit.api._core import Call
from platformkit.api.types import Lint

from ._base import Resource, segment


class Advisors(Resource):
    def security(self, ref: str, *, lint_type: str | None = None) -> list[Lint]:
        """GET /v1/projects/{ref}/advisors/security (``lint_type="sql"``: schema lints only)."""
        return self._run(
            Call(
                "GET",
                f"/v1/projects/{segment(ref)}/advisors/security",
                params={"lint_type": lint_type},
                cast=Lint.list_from_response,
            )
        )

    def performance(self, ref: str) -> list[Lint]:
        """GET /v1/projects/{ref}/advisors/performance"""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/advisors/performance", cast=Lint.list_from_response))
