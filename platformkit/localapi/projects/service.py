"""The projects: created (an instance copied from the template), listed, read, renamed, deleted
with their branches and everything kept beside them, their health, their connection strings,
and, at start, the reconcile that leaves no project half-made or wedged."""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable, Mapping
from typing import Any

import psycopg

from platformkit.localapi import catalog, health, shapes, validation
from platformkit.localapi.errors import Problem, require
from platformkit.localapi.instances.manager import Instances
from platformkit.localapi.pooler.service import Pooler
from platformkit.localapi.store import ProjectRow, Store, random_ref

from .directory import ProjectDirectory
from .organizations import Organizations

logger = logging.getLogger("platformkit.localapi")


class Projects:
    def __init__(
        self,
        directory: ProjectDirectory,
        store: Store,
        organizations: Organizations,
        instances: Instances,
        pooler: Pooler | None,
        *,
        status_delay_seconds: float,
        pitr_days_for_new_projects: int,
        set_pitr: Callable[..., Any],
        branch_refs: Callable[[], set[str]],
        delete_branches_of: Callable[[str], None],
        forget: Callable[[str], None],
        end_interrupted_restores: Callable[[], object],
    ) -> None:
        """``forget(ref)`` drops what the other features keep beside a deleted project;
        ``end_interrupted_restores()`` reports the undos and PITRs a stop cut short."""
        self._directory = directory
        self._store = store
        self._organizations = organizations
        self._instances = instances
        self._pooler = pooler
        self._status_delay = status_delay_seconds
        self._pitr_days = pitr_days_for_new_projects
        self._set_pitr = set_pitr
        self._branch_refs = branch_refs
        self._delete_branches_of = delete_branches_of
        self._forget = forget
        self._end_interrupted_restores = end_interrupted_restores

    def require(self, ref: str) -> ProjectRow:
        """The project's (or branch's) record; ``Problem(404)`` when there is none."""
        return self._directory.require(ref)

    def list(self) -> builtins.list[dict[str, Any]]:
        branches = self._branch_refs()  # a branch is reached through its project's branches
        return [self._with_database(row) for row in self._store.projects() if row.ref not in branches]

    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        new = validation.new_project(body)
        self._organizations.require(new.organization_slug, status=400)
        ref = random_ref()
        self._store.add_project(
            ref=ref,
            organization_slug=new.organization_slug,
            name=new.name,
            region=new.region,
            instance_size=new.instance_size,
        )
        try:
            with self._directory.lock(ref):
                self._instances.create(ref, new.db_pass, new.instance_size)
        except (psycopg.Error, OSError, RuntimeError) as exc:  # the record stays, failed, as upstream
            self._store.set_status(ref, catalog.INIT_FAILED)
            logger.exception("creating the instance of project %s failed", ref)
            self._instances.drop(ref)  # no half-made instance left running
            raise Problem(500, f"Failed to create the project's database: {type(exc).__name__}") from exc
        created = self.require(ref)  # COMING_UP, as the real API answers a create
        self._store.laid_out(ref, self._status_delay)  # the template is laid out already
        if self._pitr_days:
            # Not a base backup inside the create request: the instance's first one is already
            # being taken in the background (a failure here would 500 a project that exists).
            self._set_pitr(ref, self._pitr_days, backup_now=False)
        return shapes.project(created)

    def get(self, ref: str) -> dict[str, Any]:
        return self._with_database(self.require(ref))

    def update(self, ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        row = self.require(ref)
        name = validation.project_name(body)
        self._store.rename_project(ref, name)
        return shapes.project_ref(row, name)

    def delete(self, ref: str) -> dict[str, Any]:
        row = self.require(ref)
        # A recovery writes a data directory of its own beside the live one: deleting under it
        # would leave its postmaster running in a half-removed directory.
        require(
            row.status != catalog.RESTORING,
            f"Project {ref} is being restored; delete it once the restore has finished",
            409,
        )
        self._delete_branches_of(ref)  # a project's branches go with it
        with self._directory.lock(ref):
            self._instances.drop(ref)
            self._store.mark_deleted(ref)
        self._forget(ref)
        return shapes.project_ref(row)

    def health(
        self, ref: str, services: builtins.list[str], params: Mapping[str, str]
    ) -> builtins.list[dict[str, Any]]:
        row = self.require(ref)
        wanted = validation.services(services)
        validation.int_param(params, "timeout_ms", 0, 0, 10000)
        return [health.service_health(self._instances, row, service) for service in wanted]

    def connection_strings(self, ref: str) -> dict[str, str]:
        """Where a client (psql, the CLI's --db-url) reaches the project: its instance directly,
        as the tenant's role ``postgres``, and, when the pooler runs, through the pooler as
        ``postgres.<ref>`` (the password is the project's db_pass either way)."""
        self.require(ref)
        strings = {"direct": self._instances.instance(ref).direct_url()}
        if self._pooler is not None:
            strings["pooler"] = self._pooler.connection_string(ref)
        return strings

    def _with_database(self, row: ProjectRow) -> dict[str, Any]:
        port = self._instances.instance(row.ref).port if self._instances.exists(row.ref) else None
        return shapes.project_with_database(row, self._directory.host, self._directory.version, port)

    def reconcile(self) -> None:
        """At start: instances that should run are started; a creation cut short (the request's
        server stopped mid-copy) ends INIT_FAILED, never half-made and COMING_UP forever."""
        projects = self._store.projects()
        active = {row.ref for row in projects if row.status != catalog.INACTIVE}
        sizes = {row.ref: row.instance_size for row in projects}
        unfinished = self._instances.reconcile(active, sizes)  # interrupted swaps and resizes finished first
        for row in projects:
            if row.status == "RESIZING":  # its instance now starts with the size the project records
                logger.warning("project %s was RESIZING when the local API stopped: ACTIVE_HEALTHY again", row.ref)
                self._store.set_status(row.ref, catalog.ACTIVE_HEALTHY)
        # An undo or PITR cut short: reconcile left either the recovered data (the swap had
        # begun) or the previous data (it had not), never a mix; either way it is usable.
        for ref in self._store.end_interrupted_restores():
            logger.warning("project %s was RESTORING when the local API stopped: ACTIVE_HEALTHY again", ref)
        self._end_interrupted_restores()  # and its restore report says so
        branch_refs = self._branch_refs()  # a branch's own workflow says how it ended
        for ref in self._store.being_laid_out():
            if ref in branch_refs:
                continue
            if ref in unfinished or not self._instances.exists(ref):
                self._store.set_status(ref, catalog.INIT_FAILED)
            else:
                self._store.laid_out(ref, self._status_delay)
