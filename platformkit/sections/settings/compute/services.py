"""Compute size and PITR add-ons: what a project runs on, what it could, and changing it (a
compute change restarts the database, so a task follows the project back to healthy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from platformkit.api import ManagementClient
from platformkit.api.types import AddonVariant, ProjectAddons
from platformkit.conf import get_config
from platformkit.core.audit import audit
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.operations import WAIT_HEALTHY, enqueue_on_commit
from platformkit.models import Operation

User = AbstractBaseUser | AnonymousUser


class ComputeError(Exception):
    """A choice the operator must change (said on the page)."""


@dataclass(frozen=True)
class Options:
    compute: AddonVariant | None  # None: the plan's base size (nano)
    base_size: str
    compute_variants: list[AddonVariant]
    pitr: AddonVariant | None
    pitr_variants: list[AddonVariant]

    @property
    def current_name(self) -> str:
        return self.compute.name if self.compute else self.base_size.capitalize()

    def variant(self, variant_id: str) -> AddonVariant:
        for variant in (*self.compute_variants, *self.pitr_variants):
            if variant.id == variant_id:
                return variant
        raise ComputeError(f"{variant_id} is not offered for this project.")


def options(ref: str, *, client: ManagementClient | None = None) -> Options:
    """``client``: a page panel's, bounded in time."""
    client = client or get_client()
    addons: ProjectAddons = client.billing.addons(ref)
    base = str(client.projects.get(ref).raw.get("infra_compute_size") or "nano")
    return Options(
        addons.selected("compute_instance"),
        base,
        addons.variants("compute_instance"),
        addons.selected("pitr"),
        addons.variants("pitr"),
    )


def change_compute(user: User, ref: str, found: Options, variant: AddonVariant) -> Operation:
    """Apply ``variant`` (a validated choice among ``found``'s), audited; a task follows the
    project back to healthy."""
    detail = {"from": found.compute.id if found.compute else found.base_size, "to": variant.id}
    try:
        get_client(cached=False).billing.apply_addon(ref, addon_type="compute_instance", addon_variant=variant.id)
    except Exception as exc:
        audit(user, "settings.compute", project_ref=ref, success=False, detail={**detail, "error": str(exc)})
        raise
    with transaction.atomic():
        operation = Operation.objects.create(
            kind="settings.compute",
            project_ref=ref,
            params=detail,
            deadline=timezone.now() + timedelta(seconds=get_config()["HEALTH_POLL_DEADLINE"]),
            created_by_id=user.pk if user.is_authenticated else None,
        )
        audit(user, "settings.compute", project_ref=ref, detail={**detail, "operation": operation.pk})
    forget_cached_reads()
    enqueue_on_commit(WAIT_HEALTHY, operation.pk)
    return operation


def set_pitr(user: User, ref: str, found: Options, variant_id: str) -> None:
    """``pitr_7`` / ``pitr_14`` / ``pitr_28`` turns PITR on for that many days; ``off`` removes it
    (a validated choice: see ``forms.PitrForm``)."""
    client = get_client(cached=False)
    if variant_id == "off":
        if found.pitr is None:
            raise ComputeError("PITR is already off.")
        client.billing.remove_addon(ref, found.pitr.id)
    else:
        client.billing.apply_addon(ref, addon_type="pitr", addon_variant=variant_id)
    audit(
        user,
        "settings.pitr",
        project_ref=ref,
        detail={"from": found.pitr.id if found.pitr else "off", "to": variant_id},
    )
    forget_cached_reads()
