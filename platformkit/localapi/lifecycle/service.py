"""Restarting a project (``POST /v1/projects/{ref}/restart``, from the newer document): its
PostgreSQL instance is really stopped and started again (every session ends), and the project
shows RESTARTING for a moment before it is ACTIVE_HEALTHY again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from platformkit.localapi import catalog
from platformkit.localapi.errors import require

if TYPE_CHECKING:
    from platformkit.localapi.backend import LocalAPI


def restart(api: LocalAPI, ref: str) -> None:
    row = api.require_project(ref)
    require(
        row.status == catalog.ACTIVE_HEALTHY,
        f"Project {ref} is {row.status}; only an ACTIVE_HEALTHY project can be restarted",
    )
    with api.projects.lock(ref):
        api.store.set_status(ref, catalog.RESTARTING)
        api.instances.stop(ref)  # ends every open session
        api.instances.running(ref)
    api.store.set_status(
        ref, catalog.RESTARTING, then=catalog.ACTIVE_HEALTHY, after_seconds=api.config.status_delay_seconds
    )
