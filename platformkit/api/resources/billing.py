"""Tag "Billing": a project's add-ons — compute size, PITR, IPv4, custom domain."""

from __future__ import annotations

from platformkit.api._core import Call
from platformkit.api.types import ProjectAddons

from ._base import Resource, segment


class Billing(Resource):
    def addons(self, ref: str) -> ProjectAddons:
        """GET /v1/projects/{ref}/billing/addons: what is selected and what could be."""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/billing/addons", cast=ProjectAddons.from_json))

    def apply_addon(self, ref: str, *, addon_type: str, addon_variant: str) -> None:
        """PATCH /v1/projects/{ref}/billing/addons, e.g. ``compute_instance`` / ``ci_small``."""
        return self._run(
            Call[None](
                "PATCH",
                f"/v1/projects/{segment(ref)}/billing/addons",
                json={"addon_type": addon_type, "addon_variant": addon_variant},
            )
        )

    def remove_addon(self, ref: str, addon_variant: str) -> None:
        """DELETE /v1/projects/{ref}/billing/addons/{variant} (a compute variant rolls back to the previous size)."""
        return self._run(Call[None]("DELETE", f"/v1/projects/{segment(ref)}/billing/addons/{segment(addon_variant)}"))
