"""How one local Management API instance is set up."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LocalAPIConfig:
    database_url: str  # a superuser connection to the control instance (the local API's own records)
    token: str  # the bearer token every request must carry
    status_delay_seconds: float = 3.0  # how long COMING_UP / RESTORING last (PAUSING half that)
    control_db: str = "platformkit_localapi"  # where organizations and projects are recorded
    latency_seconds: float = 0.0  # slept before every answer (benchmarks)
    snapshot_dir: str | None = None  # the logs store's parent (and the default parent of the dirs below)
    base_backup_interval_seconds: float = 86400.0  # a base backup of each running instance this often
    pitr_days_for_new_projects: int = 0  # >0: new projects start with PITR on, this retention

    def snapshot_path(self) -> Path:
        return (
            Path(self.snapshot_dir)
            if self.snapshot_dir
            else Path(tempfile.gettempdir()) / "platformkit-localapi" / self.control_db
        )

    def instances_path(self) -> Path:
        return (
            Path(self.instances_dir)
            if self.instances_dir
            else self.snapshot_path().parent / f"{self.control_db}-instances"
        )

    def functions_path(self) -> Path:
        return (
            Path(self.functions_dir)
            if self.functions_dir
            else self.snapshot_path().parent / f"{self.control_db}-functions"
        )

    query_timeout_seconds: float = 15.0  # statement_timeout for database/query and migrations
    functions_dir: str | None = None  # deployed function bundles; None: beside the snapshots
    deno_path: str | None = None  # the Deno that runs functions; None: .tools/deno, then PATH
    function_timeout_seconds: float = 10.0  # one invocation's wall time
    branch_deletion_grace_seconds: float = 3600.0  # DELETE /v1/branches/{id}?force=false waits this long
    # Hosts (names or IPs, no port) functions may reach although they are loopback, private or this
    # machine; the local API's own port stays closed on them. Default: none, public internet only.
    function_allowed_hosts: tuple[str, ...] = ()
    # The documented budgets (ratelimit.py): requests per window per token and project or
    # organization scope, and for the logs and usage endpoints; a shorter window compresses time.
    rate_limit_per_window: int = 120
    rate_limit_logs_per_window: int = 30
    rate_limit_window_seconds: float = 60.0
    instances_dir: str | None = None  # one PostgreSQL instance per project; None: beside the snapshots
    idle_stop_seconds: float = 600.0  # an instance unused this long stops (0: never); the next call starts it
    pool_size: int = 10  # the local API's own sessions per instance (database/query, migrations, ...)
    pool_wait_seconds: float = 5.0  # how long a call waits for a free session before its 503
    # The pooler endpoint (pooler/): one loopback port routing postgres.<ref> to each project's
    # instance, session mode. None: no pooler; 0: any free port.
    pooler_port: int | None = None
    pooler_max_clients: int = 200  # client connections at once, all projects together

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return (
            f"LocalAPIConfig(control_db={self.control_db!r}, status_delay_seconds={self.status_delay_seconds},"
            f" latency_seconds={self.latency_seconds})"
        )
