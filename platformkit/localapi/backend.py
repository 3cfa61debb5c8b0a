"""The local Management API's behaviour, free of HTTP: each method takes the caller's input,
checks it as the real API does, acts on a real PostgreSQL, and returns the JSON the real API
answers with, or raises :class:`Problem` with the status and message it would give."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import psycopg

from . import catalog, health, shapes, validation
from .advisors import Advisors
from .api_keys.service import ApiKeys
from .backups.service import Backups
from .branches.service import Branching
from .claims.service import Claims
from .config import LocalAPIConfig
from .directory import ProjectDirectory
from .errors import Problem, require
from .functions import EdgeFunctions
from .functions.runtime import find_deno
from .instances.manager import OLD_LAYOUT_MESSAGE, Instances
from .instances.sizes import settings_for
from .logs import Logs
from .pooler.service import Pooler
from .project_settings.addons import Addons
from .project_settings.service_config import ServiceConfigs
from .secrets.service import Secrets
from .snippets.service import Snippets
from .store import ProjectRow, Store, random_ref

logger = logging.getLogger("platformkit.localapi")


class LocalAPI:
    def __init__(self, config: LocalAPIConfig) -> None:
        self.config = config
        self.store = Store(config.database_url, config.control_db)
        self.store.migrate()
        if self.store.has_old_layout_databases():
            raise RuntimeError(OLD_LAYOUT_MESSAGE)
        self.instances = Instances(
            config.instances_path(),
            idle_stop_seconds=config.idle_stop_seconds,
            query_timeout_seconds=config.query_timeout_seconds,
            pool_size=config.pool_size,
            pool_wait_seconds=config.pool_wait_seconds,
        )
        self.instances.template_dir()  # built once per layout (~1 s), so creations are copies
        # Bound now (its port is known), serving once the server starts it (LocalAPIServer).
        self.pooler = (
            Pooler(self.instances, port=config.pooler_port, max_clients=config.pooler_max_clients)
            if config.pooler_port is not None
            else None
        )
        self.projects = ProjectDirectory(self.store, version=_server_version(config.database_url), host="127.0.0.1")
        self.backups = Backups(
            instances=self.instances,
            control_url=psycopg.conninfo.make_conninfo(config.database_url, dbname=config.control_db),
            project=self.require_project,
            set_status=self.store.set_status,
            status_delay_seconds=config.status_delay_seconds,
            base_backup_interval_seconds=config.base_backup_interval_seconds,
        )
        control_url = psycopg.conninfo.make_conninfo(config.database_url, dbname=config.control_db)
        self.secrets = Secrets(control_url)
        self.api_keys = ApiKeys(control_url)
        self.service_config = ServiceConfigs(control_url, self.require_project, self.api_keys.jwt_secret)
        self.addons = Addons(
            control_url,
            self.store,
            self.require_project,
            self.backups.set_pitr,
            self.backups.pitr_retention_days,
            config.status_delay_seconds,
            resize=self.instances.resize,
        )
        self.claims = Claims(control_url, self.store, self.require_project, self.customizations)
        self.logs = Logs(config.snapshot_path().parent / f"{config.control_db}-logs")
        self.snippets = Snippets(control_url, self.require_project)
        self.functions = EdgeFunctions(
            control_url,
            config.functions_path(),
            self.require_project,
            self.api_keys,
            self.logs.record,
            find_deno(config.deno_path),
            config.function_timeout_seconds,
            config.function_allowed_hosts,
        )
        self.branching = Branching(
            self.projects,
            self.store,
            config,
            self.secrets,
            self.instances,
            forget=self.forget,
            # a branch's functions reach production only through its merge
            merge_hooks=[self.functions.promote_on_merge],
        )
        self.advisors = Advisors(
            self.instances,
            self.require_project,
            self.service_config.get,
            self.backups.pitr_retention_days,
            lambda ref: ref in self.branching.branch_refs(),
        )
        self._reconcile()

    def require_project(self, ref: str) -> ProjectRow:
        """The project's (or branch's) record; ``Problem(404)`` when there is none."""
        return self.projects.require(ref)

    # Organizations

    def list_organizations(self) -> list[dict[str, Any]]:
        return [shapes.organization(row) for row in self.store.organizations()]

    def create_organization(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return shapes.organization(self.store.create_organization(validation.organization_name(body)))

    def get_organization(self, slug: str) -> dict[str, Any]:
        return shapes.organization_detail(self._organization(slug))

    def organization_projects(self, slug: str, params: Mapping[str, str]) -> dict[str, Any]:
        self._organization(slug)
        offset = validation.int_param(params, "offset", 0, 0, None)
        limit = validation.int_param(params, "limit", 100, 1, 100)
        sort = validation.choice_param(params, "sort", catalog.ORGANIZATION_PROJECT_SORTS, "name_asc")
        statuses = [status for status in params.get("statuses", "").split(",") if status]
        unknown = [status for status in statuses if status not in catalog.PROJECT_STATUSES]
        require(not unknown, f"statuses: unknown project status {', '.join(unknown)}")
        search = params.get("search", "").lower()
        rows = [
            row
            for row in self.store.projects(slug)
            if (not search or search in row.name.lower()) and (not statuses or row.status in statuses)
        ]
        key, direction = str(sort).split("_")
        rows.sort(
            key=(lambda row: row.name.lower()) if key == "name" else (lambda row: row.created_at),
            reverse=direction == "desc",
        )
        return {
            "projects": [shapes.organization_project(row) for row in rows[offset : offset + limit]],
            "pagination": {"count": len(rows), "limit": limit, "offset": offset},
        }

    # Projects

    def list_projects(self) -> list[dict[str, Any]]:
        branches = self.branching.branch_refs()  # a branch is reached through its project's branches
        return [self._with_database(row) for row in self.store.projects() if row.ref not in branches]

    def create_project(self, body: Mapping[str, Any]) -> dict[str, Any]:
        new = validation.new_project(body)
        self._organization(new.organization_slug, status=400)
        ref = random_ref()
        self.store.add_project(
            ref=ref,
            organization_slug=new.organization_slug,
            name=new.name,
            region=new.region,
            instance_size=new.instance_size,
        )
        try:
            with self.projects.lock(ref):
                self.instances.create(ref, new.db_pass, new.instance_size)
        except (psycopg.Error, OSError, RuntimeError) as exc:  # the record stays, failed, as upstream
            self.store.set_status(ref, catalog.INIT_FAILED)
            logger.exception("creating the instance of project %s failed", ref)
            self.instances.drop(ref)  # no half-made instance left running
            raise Problem(500, f"Failed to create the project's database: {type(exc).__name__}") from exc
        created = self.require_project(ref)  # COMING_UP, as the real API answers a create
        self.store.laid_out(ref, self.config.status_delay_seconds)  # the template is laid out already
        if self.config.pitr_days_for_new_projects:
            # Not a base backup inside the create request: the instance's first one is already
            # being taken in the background (a failure here would 500 a project that exists).
            self.backups.set_pitr(ref, self.config.pitr_days_for_new_projects, backup_now=False)
        return shapes.project(created)

    def get_project(self, ref: str) -> dict[str, Any]:
        return self._with_database(self.require_project(ref))

    def update_project(self, ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        row = self.require_project(ref)
        name = validation.project_name(body)
        self.store.rename_project(ref, name)
        return shapes.project_ref(row, name)

    def delete_project(self, ref: str) -> dict[str, Any]:
        row = self.require_project(ref)
        # A recovery writes a data directory of its own beside the live one: deleting under it
        # would leave its postmaster running in a half-removed directory.
        require(
            row.status != catalog.RESTORING,
            f"Project {ref} is being restored; delete it once the restore has finished",
            409,
        )
        self.branching.delete_branches_of(ref)  # a project's branches go with it
        with self.projects.lock(ref):
            self.instances.drop(ref)
            self.store.mark_deleted(ref)
        self.forget(ref)
        return shapes.project_ref(row)

    def forget(self, ref: str) -> None:
        """Drop everything kept beside a deleted project's (or branch's) database."""
        for part in (
            self.backups,
            self.secrets,
            self.api_keys,
            self.service_config,
            self.addons,
            self.claims,
            self.logs,
            self.functions.store,
            self.snippets,
        ):
            part.forget(ref)

    def health(self, ref: str, services: list[str], params: Mapping[str, str]) -> list[dict[str, Any]]:
        row = self.require_project(ref)
        wanted = validation.services(services)
        validation.int_param(params, "timeout_ms", 0, 0, 10000)
        return [health.service_health(self.instances, row, service) for service in wanted]

    def available_regions(self, params: Mapping[str, str]) -> dict[str, Any]:
        slug = params.get("organization_slug")
        require(bool(slug), "organization_slug is required")
        self._organization(str(slug), status=400)
        continent = validation.choice_param(params, "continent", tuple(catalog.CONTINENT_SMART_GROUP))
        validation.choice_param(params, "desired_instance_size", catalog.INSTANCE_SIZES)
        return shapes.regions_info(catalog.CONTINENT_SMART_GROUP[continent or "NA"])

    def pause(self, ref: str) -> None:
        row = self.require_project(ref)
        require(
            row.status == catalog.ACTIVE_HEALTHY,
            f"Project {ref} is {row.status}; only an ACTIVE_HEALTHY project can be paused",
        )
        self.store.set_status(ref, catalog.PAUSING)
        self.instances.pause(ref)
        # The instance is stopped; the state shows PAUSING for a moment, as upstream.
        self.store.set_status(
            ref, catalog.PAUSING, then=catalog.INACTIVE, after_seconds=self.config.status_delay_seconds / 2
        )

    def restore(self, ref: str) -> None:
        row = self.require_project(ref)
        require(
            row.status == catalog.INACTIVE,
            f"Project {ref} is {row.status}; only an INACTIVE (paused) project can be restored",
        )
        self.instances.resume(ref)
        self.store.set_status(
            ref, catalog.RESTORING, then=catalog.ACTIVE_HEALTHY, after_seconds=self.config.status_delay_seconds
        )

    def restore_versions(self, ref: str) -> dict[str, Any]:
        self.require_project(ref)
        # The cluster runs one PostgreSQL version, which the project already has: nothing to
        # restore into (and 18 is not in the document's postgres_engine enum anyway).
        return {"available_versions": []}

    def customizations(self, ref: str) -> list[dict[str, str]]:
        """What a claimed project carries into its new organization (the claim preview's
        warnings): the seed says to remove custom configuration before a transfer."""
        found = []
        secrets = self.secrets.list(ref)
        if secrets:
            found.append(
                {
                    "key": "secrets",
                    "message": f"{len(secrets)} Edge Function secret(s): {', '.join(s['name'] for s in secrets)}",
                }
            )
        for service, changed in sorted(self.service_config.overrides(ref).items()):
            if changed:
                found.append(
                    {
                        "key": f"config.{service}",
                        "message": f"Custom {service} configuration: {', '.join(sorted(changed))}",
                    }
                )
        return found

    # Serving

    def simulate_latency(self) -> None:
        if self.config.latency_seconds > 0:
            time.sleep(self.config.latency_seconds)

    def close(self, timeout: float = 10.0) -> None:
        """Wait for layouts and branch workflows still running (so a stopped server leaves no half-made project)."""
        self.projects.join(timeout)
        self.backups.close(timeout)
        if self.pooler is not None:  # its sessions end before their instances stop
            self.pooler.stop()
        self.instances.close()

    # Helpers

    def _organization(self, slug: str, status: int = 404) -> dict[str, Any]:
        validation.check_slug(slug)
        row = self.store.organization(slug)
        if row is None:
            raise Problem(status, f"Organization {slug} not found")
        return row

    def _with_database(self, row: ProjectRow) -> dict[str, Any]:
        port = self.instances.instance(row.ref).port if self.instances.exists(row.ref) else None
        return shapes.project_with_database(row, self.projects.host, self.projects.version, port)

    def connection_strings(self, ref: str) -> dict[str, str]:
        """Where a client (psql, the CLI's --db-url) reaches the project: its instance directly,
        as the tenant's role ``postgres``, and, when the pooler runs, through the pooler as
        ``postgres.<ref>`` (the password is the project's db_pass either way)."""
        self.require_project(ref)
        strings = {"direct": self.instances.instance(ref).direct_url()}
        if self.pooler is not None:
            strings["pooler"] = self.pooler.connection_string(ref)
        return strings

    def size_settings(self, ref: str) -> dict[str, str]:
        """What the instance runs with for its compute size (see ``instances/sizes.py``)."""
        return settings_for(self.require_project(ref).instance_size).as_conf()

    def _reconcile(self) -> None:
        """At start: instances that should run are started; a creation cut short (the request's
        server stopped mid-copy) ends INIT_FAILED, never half-made and COMING_UP forever."""
        projects = self.store.projects()
        active = {row.ref for row in projects if row.status != catalog.INACTIVE}
        sizes = {row.ref: row.instance_size for row in projects}
        unfinished = self.instances.reconcile(active, sizes)  # interrupted swaps and resizes finished first
        for row in projects:
            if row.status == "RESIZING":  # its instance now starts with the size the project records
                logger.warning("project %s was RESIZING when the local API stopped: ACTIVE_HEALTHY again", row.ref)
                self.store.set_status(row.ref, catalog.ACTIVE_HEALTHY)
        # An undo or PITR cut short: reconcile left either the recovered data (the swap had
        # begun) or the previous data (it had not), never a mix; either way it is usable.
        for ref in self.store.end_interrupted_restores():
            logger.warning("project %s was RESTORING when the local API stopped: ACTIVE_HEALTHY again", ref)
        self.backups.end_interrupted(self.instances.swap_outcomes)  # and its restore report says so
        branch_refs = self.branching.branch_refs()  # a branch's own workflow says how it ended
        for ref in self.store.being_laid_out():
            if ref in branch_refs:
                continue
            if ref in unfinished or not self.instances.exists(ref):
                self.store.set_status(ref, catalog.INIT_FAILED)
            else:
                self.store.laid_out(ref, self.config.status_delay_seconds)


def _server_version(control_url: str) -> str:
    # The instances run the same binaries as the control instance.
    with psycopg.connect(control_url) as conn:
        row = conn.execute("show server_version").fetchone()
    return str(row[0]).split()[0] if row else ""
