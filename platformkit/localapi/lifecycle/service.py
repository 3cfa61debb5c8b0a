"""Pause, restore and restart of a project, for real: pause stops its PostgreSQL instance,
restore starts it again, restart (``POST /v1/projects/{ref}/restart``, from the newer document)
stops and starts it (every session ends). Each shows its passing status (PAUSING, RESTORING,
RESTARTING) for a moment, as upstream."""

from __future__ import annotations

from typing import Any

from platformkit.localapi import catalog
from platformkit.localapi.errors import require
from platformkit.localapi.instances.manager import Instances
from platformkit.localapi.projects.directory import ProjectDirectory
from platformkit.localapi.store import Store


class Lifecycle:
    def __init__(
        self, directory: ProjectDirectory, store: Store, instances: Instances, *, status_delay_seconds: float
    ) -> None:
        self._directory = directory
        self._store = store
        self._instances = instances
        self._status_delay = status_delay_seconds

    def pause(self, ref: str) -> None:
        row = self._directory.require(ref)
        require(
            row.status == catalog.ACTIVE_HEALTHY,
            f"Project {ref} is {row.status}; only an ACTIVE_HEALTHY project can be paused",
        )
        self._store.set_status(ref, catalog.PAUSING)
        self._instances.pause(ref)
        # The instance is stopped; the state shows PAUSING for a moment, as upstream.
        self._store.set_status(ref, catalog.PAUSING, then=catalog.INACTIVE, after_seconds=self._status_delay / 2)

    def restore(self, ref: str) -> None:
        row = self._directory.require(ref)
        require(
            row.status == catalog.INACTIVE,
            f"Project {ref} is {row.status}; only an INACTIVE (paused) project can be restored",
        )
        self._instances.resume(ref)
        self._store.set_status(ref, catalog.RESTORING, then=catalog.ACTIVE_HEALTHY, after_seconds=self._status_delay)

    def restore_versions(self, ref: str) -> dict[str, Any]:
        self._directory.require(ref)
        # The cluster runs one PostgreSQL version, which the project already has: nothing to
        # restore into (and 18 is not in the document's postgres_engine enum anyway).
        return {"available_versions": []}

    def restart(self, ref: str) -> None:
        row = self._directory.require(ref)
        require(
            row.status == catalog.ACTIVE_HEALTHY,
            f"Project {ref} is {row.status}; only an ACTIVE_HEALTHY project can be restarted",
        )
        with self._directory.lock(ref):
            self._store.set_status(ref, catalog.RESTARTING)
            self._instances.stop(ref)  # ends every open session
            self._instances.running(ref)
        self._store.set_status(ref, catalog.RESTARTING, then=catalog.ACTIVE_HEALTHY, after_seconds=self._status_delay)
