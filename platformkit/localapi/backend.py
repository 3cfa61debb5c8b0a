"""The local Management API's composition root: it builds each feature once, hands each the
few collaborators it needs (records, instances, another feature's method), and holds them for
the routes (``api.<feature>.<method>(...)``). It has no behaviour of its own beyond the start
(the reconcile) and the stop (:meth:`LocalAPI.close`); each feature's folder has its logic
(``service.py``) and its HTTP side (``routes.py``)."""

from __future__ import annotations

import time

import psycopg

from .advisors.service import Advisors
from .api_keys.service import ApiKeys
from .backups.service import Backups
from .branches.service import Branching
from .claims.service import Claims
from .config import LocalAPIConfig
from .database.service import Database
from .functions.runtime import find_deno
from .functions.service import EdgeFunctions
from .instances.manager import OLD_LAYOUT_MESSAGE, Instances
from .lifecycle.service import Lifecycle
from .logs.service import Logs
from .pooler.service import Pooler
from .project_settings.addons import Addons
from .project_settings.service_config import ServiceConfigs
from .projects.directory import ProjectDirectory, server_version
from .projects.organizations import Organizations
from .projects.service import Projects
from .secrets.service import Secrets
from .snippets.service import Snippets
from .storage.service import Storage
from .store import Store
from .typescript.service import TypeScript


class LocalAPI:
    def __init__(self, config: LocalAPIConfig) -> None:
        self.config = config
        control_url = psycopg.conninfo.make_conninfo(config.database_url, dbname=config.control_db)
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
        directory = ProjectDirectory(self.store, version=server_version(config.database_url), host="127.0.0.1")
        self.directory = directory
        project = directory.require
        self.backups = Backups(
            instances=self.instances,
            control_url=control_url,
            project=project,
            set_status=self.store.set_status,
            status_delay_seconds=config.status_delay_seconds,
            base_backup_interval_seconds=config.base_backup_interval_seconds,
        )
        self.secrets = Secrets(control_url)
        self.api_keys = ApiKeys(control_url)
        self.service_config = ServiceConfigs(control_url, project, self.api_keys.jwt_secret)
        self.addons = Addons(
            control_url,
            self.store,
            project,
            self.backups.set_pitr,
            self.backups.pitr_retention_days,
            config.status_delay_seconds,
            resize=self.instances.resize,
        )
        self.claims = Claims(
            control_url,
            self.store,
            project,
            edge_secrets=self.secrets.list,
            config_overrides=self.service_config.overrides,
        )
        self.logs = Logs(config.snapshot_path().parent / f"{config.control_db}-logs")
        self.snippets = Snippets(control_url, project)
        self.functions = EdgeFunctions(
            control_url,
            config.functions_path(),
            project,
            self.api_keys,
            self.logs.record,
            find_deno(config.deno_path),
            config.function_timeout_seconds,
            config.function_allowed_hosts,
        )
        # What a deleted project's (or branch's) features drop with it.
        self._forgetting = (
            self.backups,
            self.secrets,
            self.api_keys,
            self.service_config,
            self.addons,
            self.claims,
            self.logs,
            self.functions.store,
            self.snippets,
        )
        self.branching = Branching(
            directory,
            self.store,
            config,
            self.secrets,
            self.instances,
            forget=self._forget,
            # a branch's functions reach production only through its merge
            merge_hooks=[self.functions.promote_on_merge],
        )
        self.organizations = Organizations(self.store)
        self.projects = Projects(
            directory,
            self.store,
            self.organizations,
            self.instances,
            self.pooler,
            status_delay_seconds=config.status_delay_seconds,
            pitr_days_for_new_projects=config.pitr_days_for_new_projects,
            set_pitr=self.backups.set_pitr,
            branch_refs=self.branching.branch_refs,
            delete_branches_of=self.branching.delete_branches_of,
            forget=self._forget,
            end_interrupted_restores=lambda: self.backups.end_interrupted(self.instances.swap_outcomes),
        )
        self.lifecycle = Lifecycle(
            directory, self.store, self.instances, status_delay_seconds=config.status_delay_seconds
        )
        timeout = config.query_timeout_seconds
        self.database = Database(project, self.instances, timeout_seconds=timeout, log=self.logs.statement)
        self.storage = Storage(project, self.instances, timeout_seconds=timeout)
        self.typescript = TypeScript(project, self.instances, timeout_seconds=timeout)
        self.advisors = Advisors(
            self.instances,
            project,
            self.service_config.get,
            self.backups.pitr_retention_days,
            lambda ref: ref in self.branching.branch_refs(),
        )
        self.projects.reconcile()
        self.branching.end_interrupted_runs()  # a merge finished then may touch reconciled instances

    def _forget(self, ref: str) -> None:
        for feature in self._forgetting:
            feature.forget(ref)

    # Serving

    def simulate_latency(self) -> None:
        if self.config.latency_seconds > 0:
            time.sleep(self.config.latency_seconds)

    def close(self, timeout: float = 10.0) -> None:
        """Wait for layouts and branch workflows still running (so a stopped server leaves no half-made project)."""
        self.directory.join(timeout)
        self.backups.close(timeout)
        if self.pooler is not None:  # its sessions end before their instances stop
            self.pooler.stop()
        self.instances.close()
