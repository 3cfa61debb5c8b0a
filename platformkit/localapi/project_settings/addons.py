"""Billing add-ons per project: compute size (really changes the project's recorded size and
puts it through RESIZING), PITR (really turns the WAL-based PITR of
:mod:`platformkit.localapi.backups` on for 7, 14 or 28 days), IPv4 and custom domain (recorded
only: nothing here serves them).

Prices are the hosted platform's public list prices when this was written, for display only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from platformkit.localapi import catalog
from platformkit.localapi.control import ControlTables
from platformkit.localapi.errors import Problem, require
from platformkit.localapi.store import ProjectRow, Store

SCHEMA_SQL = """
create table if not exists project_addons (
    ref text not null,
    type text not null,
    variant text not null,
    previous text,               -- compute: the size to go back to when the add-on is removed
    primary key (ref, type)
);
"""

# size -> (hourly USD, CPU cores, memory GB): the standard compute sizes offered as add-ons.
COMPUTE = {
    "micro": (0.01344, "2-core ARM (shared)", 1),
    "small": (0.0206, "2-core ARM (shared)", 2),
    "medium": (0.0822, "2-core ARM (shared)", 4),
    "large": (0.1517, "2-core ARM (dedicated)", 8),
    "xlarge": (0.2877, "4-core ARM (dedicated)", 16),
    "2xlarge": (0.562, "8-core ARM (dedicated)", 32),
    "4xlarge": (1.32, "16-core ARM (dedicated)", 64),
    "8xlarge": (2.562, "32-core ARM (dedicated)", 128),
    "12xlarge": (3.836, "48-core ARM (dedicated)", 192),
    "16xlarge": (5.12, "64-core ARM (dedicated)", 256),
}
PITR_DAYS = {"pitr_7": 7, "pitr_14": 14, "pitr_28": 28}
FAMILY = {"compute_instance": "ci_", "pitr": "pitr_", "ipv4": "ipv4_default", "custom_domain": "cd_default"}


def _variant(
    variant_id: str, name: str, amount: float, interval: str, description: str, meta: Any = None
) -> dict[str, Any]:
    price = {
        "description": description,
        "type": "usage" if interval == "hourly" else "fixed",
        "interval": interval,
        "amount": amount,
    }
    return {"id": variant_id, "name": name, "price": price, **({"meta": meta} if meta is not None else {})}


def available() -> list[dict[str, Any]]:
    compute = [
        _variant(
            f"ci_{size}",
            size.capitalize() if size[0].isalpha() else size.upper(),
            hourly,
            "hourly",
            f"${hourly}/hour",
            {"cpu_cores": cpu, "memory_gb": memory},
        )
        for size, (hourly, cpu, memory) in COMPUTE.items()
    ]
    pitr = [
        _variant(variant, f"{days} days", 100.0 * days / 7, "monthly", f"${100 * days // 7}/month")
        for variant, days in PITR_DAYS.items()
    ]
    return [
        {"type": "compute_instance", "name": "Compute size", "variants": compute},
        {"type": "pitr", "name": "Point in time recovery", "variants": pitr},
        {
            "type": "ipv4",
            "name": "Dedicated IPv4 address",
            "variants": [_variant("ipv4_default", "IPv4", 4.0, "monthly", "$4/month")],
        },
        {
            "type": "custom_domain",
            "name": "Custom domain",
            "variants": [_variant("cd_default", "Custom domain", 10.0, "monthly", "$10/month")],
        },
    ]


class Addons(ControlTables):
    SCHEMA_SQL = SCHEMA_SQL

    def __init__(
        self,
        control_url: str,
        store: Store,
        project: Callable[[str], ProjectRow],
        set_pitr: Callable[[str, int], None],
        pitr_days: Callable[[str], int],
        status_delay_seconds: float,
        *,
        resize: Callable[[str, str], None],
    ) -> None:
        super().__init__(control_url)
        self._restart_with_size = resize
        self._store = store
        self._project = project
        self._set_pitr = set_pitr
        self._pitr_days = pitr_days
        self._delay = status_delay_seconds

    def list(self, ref: str) -> dict[str, Any]:
        row = self._project(ref)
        offered = {variant["id"]: (group["type"], variant) for group in available() for variant in group["variants"]}
        selected = []
        if f"ci_{row.instance_size}" in offered:  # nano (and pico) are the plan's base size, not an add-on
            selected.append({"type": "compute_instance", "variant": offered[f"ci_{row.instance_size}"][1]})
        days = self._pitr_days(ref)
        if f"pitr_{days}" in offered:
            selected.append({"type": "pitr", "variant": offered[f"pitr_{days}"][1]})
        with self._connect() as conn:
            for stored in conn.execute(
                "select type, variant from project_addons where ref = %s and type in ('ipv4', 'custom_domain')", (ref,)
            ):
                selected.append({"type": stored["type"], "variant": offered[stored["variant"]][1]})
        return {"ref": ref, "selected_addons": selected, "available_addons": available()}

    def apply(self, ref: str, body: Mapping[str, Any]) -> None:
        row = self._project(ref)
        addon_type, variant = body.get("addon_type"), body.get("addon_variant")
        require(isinstance(addon_type, str) and addon_type in FAMILY, f"addon_type must be one of {', '.join(FAMILY)}")
        require(
            isinstance(variant, str) and variant.startswith(FAMILY[str(addon_type)]),
            f"addon_variant {variant!r} is not a {addon_type} variant",
        )
        offered = {v["id"] for group in available() if group["type"] == addon_type for v in group["variants"]}
        require(variant in offered, f"addon_variant {variant} is not available for this project")
        require(
            row.status == catalog.ACTIVE_HEALTHY,
            f"Project {ref} is {row.status}; add-ons change only on an ACTIVE_HEALTHY project",
        )
        if addon_type == "compute_instance":
            size = str(variant)[3:]
            require(size != row.instance_size, f"The project already runs on {variant}")
            self._remember(ref, "compute_instance", str(variant), previous=row.instance_size)
            self._resize(ref, size)
        elif addon_type == "pitr":
            self._set_pitr(ref, PITR_DAYS[str(variant)])
        else:
            self._remember(ref, str(addon_type), str(variant))

    def remove(self, ref: str, variant: str) -> None:
        row = self._project(ref)
        if variant.startswith("ci_"):
            require(
                variant == f"ci_{row.instance_size}",
                f"{variant} is not the project's compute size (ci_{row.instance_size})",
            )
            with self._connect() as conn:
                stored = conn.execute(
                    "select previous from project_addons where ref = %s and type = 'compute_instance'", (ref,)
                ).fetchone()
                conn.execute("delete from project_addons where ref = %s and type = 'compute_instance'", (ref,))
            if stored is None or not stored["previous"]:
                raise Problem(400, f"{variant} is the size the project was created with: choose another size instead")
            self._resize(ref, str(stored["previous"]))
        elif variant in PITR_DAYS:
            require(self._pitr_days(ref) == PITR_DAYS[variant], f"{variant} is not enabled on this project")
            self._set_pitr(ref, 0)
        else:
            with self._connect() as conn:
                gone = conn.execute(
                    "delete from project_addons where ref = %s and variant = %s", (ref, variant)
                ).rowcount
            if not gone:
                raise Problem(400, f"{variant} is not enabled on this project")

    def forget(self, ref: str) -> None:
        with self._connect() as conn:
            conn.execute("delete from project_addons where ref = %s", (ref,))

    def _remember(self, ref: str, addon_type: str, variant: str, previous: str | None = None) -> None:
        with self._connect() as conn:
            conn.execute(
                "insert into project_addons (ref, type, variant, previous) values (%s, %s, %s, %s)"
                " on conflict (ref, type) do update set variant = excluded.variant,"
                " previous = coalesce(project_addons.previous, excluded.previous)",
                (ref, addon_type, variant, previous),
            )

    def _resize(self, ref: str, size: str) -> None:
        # A resize restarts the instance with the size's settings (instances/sizes.py): RESIZING
        # while it does, and for the status delay, then healthy again.
        self._store.set_status(ref, "RESIZING")
        self._store.set_instance_size(ref, size)
        try:
            self._restart_with_size(ref, size)
        finally:
            self._store.set_status(ref, "RESIZING", then=catalog.ACTIVE_HEALTHY, after_seconds=self._delay)
