"""Tag "Billing": a project's add-ons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ._base import APIObject, Nested


@dataclass(frozen=True)
class AddonPrice(APIObject):
    description: str = ""
    type: str = ""  # fixed | usage
    interval: str = ""  # monthly | hourly
    amount: float = 0.0


@dataclass(frozen=True)
class AddonVariant(APIObject):
    """A variant of ``ListProjectAddonsResponse``: ``id`` is e.g. ``ci_small`` or ``pitr_7``."""

    id: str = ""
    name: str = ""
    price: AddonPrice | None = None
    meta: Any = None
    nested: ClassVar[Nested] = {"price": AddonPrice}


@dataclass(frozen=True)
class SelectedAddon(APIObject):
    type: str = ""
    variant: AddonVariant | None = None
    nested: ClassVar[Nested] = {"variant": AddonVariant}


@dataclass(frozen=True)
class AvailableAddon(APIObject):
    type: str = ""
    name: str = ""
    variants: list[AddonVariant] = field(default_factory=list)
    nested: ClassVar[Nested] = {"variants": AddonVariant}


@dataclass(frozen=True)
class ProjectAddons(APIObject):
    """``ListProjectAddonsResponse``."""

    selected_addons: list[SelectedAddon] = field(default_factory=list)
    available_addons: list[AvailableAddon] = field(default_factory=list)
    ref: str | None = None
    nested: ClassVar[Nested] = {
        "selected_addons": SelectedAddon,
        "available_addons": AvailableAddon,
    }

    def selected(self, addon_type: str) -> AddonVariant | None:
        return next((item.variant for item in self.selected_addons if item.type == addon_type), None)

    def variants(self, addon_type: str) -> list[AddonVariant]:
        return next((item.variants for item in self.available_addons if item.type == addon_type), [])
