"""``manage.py localapi``: the local Management API over loopback HTTP.

Without ``--database-url`` it runs an embedded PostgreSQL under ``DIR/pg`` (stopped at exit
when no other process uses it); without ``--token`` it reuses ``DIR/localapi/token`` or
generates one there and prints it.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import signal
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from platformkit.localapi.config import LocalAPIConfig
from platformkit.localapi.pgserver import start_embedded
from platformkit.localapi.server import LocalAPIServer


def stored_token(data_dir: Path) -> tuple[str, bool]:
    """The token kept in ``DIR/localapi/token`` (readable by its owner only), made if missing;
    and whether it was just made."""
    path = data_dir / "localapi" / "token"
    if path.exists() and path.read_text().strip():
        return path.read_text().strip(), False
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(token)
    return token, True


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_addrport(addrport: str) -> tuple[str, int]:
    host, _, port = addrport.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise CommandError(f"--addrport must look like 127.0.0.1:8765, not {addrport!r}")
    return host, int(port)


class Command(BaseCommand):
    help = "Serve the local Management API (Supabase's /v1 paths) backed by a real PostgreSQL."
    # The dashboard's checks (its API token among them) are no concern of the server that
    # hands out that token.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addrport", default="127.0.0.1:8765", help="host:port to listen on (loopback unless --allow-remote)"
        )
        parser.add_argument("--token", help="bearer token clients must send (default: kept in DIR/localapi/token)")
        parser.add_argument(
            "--data", default=".data/demo", help="data directory: embedded PostgreSQL in DIR/pg, the token"
        )
        parser.add_argument(
            "--database-url", help="a superuser URL of a PostgreSQL server to use instead of the embedded one"
        )
        parser.add_argument(
            "--control-db", default="platformkit_localapi", help="database holding the local API's records"
        )
        parser.add_argument(
            "--status-delay", type=float, default=3.0, help="seconds a project stays COMING_UP / RESTORING"
        )
        parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer (benchmarks)")
        parser.add_argument(
            "--pitr-days", type=int, default=0, help="turn PITR on for new projects, with this retention (days)"
        )
        parser.add_argument(
            "--base-backup-interval",
            type=float,
            default=86400.0,
            help="seconds between base backups of each instance (WAL is archived continuously)",
        )
        parser.add_argument(
            "--rate-limit", type=int, default=120, help="requests per window per token and project/organization scope"
        )
        parser.add_argument(
            "--rate-limit-logs", type=int, default=30, help="requests per window to the logs and usage endpoints"
        )
        parser.add_argument(
            "--rate-limit-window", type=float, default=60.0, help="seconds of a rate-limit window (the real API: 60)"
        )
        parser.add_argument(
            "--idle-stop", type=float, default=600.0, help="seconds until an unused project instance stops (0: never)"
        )
        parser.add_argument(
            "--pooler-port",
            type=int,
            default=None,
            help="serve the pooler (postgres.<ref>, session mode) on this loopback port (0: any free; default: none)",
        )
        parser.add_argument("--allow-remote", action="store_true", help="allow listening on a non-loopback address")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = parse_addrport(options["addrport"])
        if not is_loopback(host) and not options["allow_remote"]:
            raise CommandError(f"{host} is not a loopback address; pass --allow-remote to listen there")
        data_dir = Path(options["data"]).resolve()
        database_url = options["database_url"] or start_embedded(data_dir).url()
        token, generated = (options["token"], False) if options["token"] else stored_token(data_dir)
        config = LocalAPIConfig(
            database_url=database_url,
            token=token,
            status_delay_seconds=options["status_delay"],
            control_db=options["control_db"],
            latency_seconds=options["latency"],
            snapshot_dir=str(data_dir / "localapi" / "snapshots"),
            functions_dir=str(data_dir / "localapi" / "functions"),
            instances_dir=str(data_dir / "localapi" / "instances"),
            idle_stop_seconds=options["idle_stop"],
            base_backup_interval_seconds=options["base_backup_interval"],
            pitr_days_for_new_projects=options["pitr_days"],
            rate_limit_per_window=options["rate_limit"],
            rate_limit_logs_per_window=options["rate_limit_logs"],
            rate_limit_window_seconds=options["rate_limit_window"],
            pooler_port=options["pooler_port"],
        )
        try:
            server = LocalAPIServer(config, host, port, quiet=False)
        except RuntimeError as exc:  # e.g. a data dir of the old one-cluster layout
            raise CommandError(str(exc)) from None
        if generated:
            self.stdout.write(f"Generated token (stored in {data_dir / 'localapi' / 'token'}): {token}")
        if server.pooler_port is not None:
            self.stdout.write(f"Pooler on 127.0.0.1:{server.pooler_port} (user postgres.<ref>, session mode)")
        self.stdout.write(f"Local Management API on {server.base_url}/v1")  # last: it says "ready"
        self.stdout.flush()
        # SIGTERM unwinds like Ctrl-C, so the finally below runs and the embedded server's
        # at-exit hook (the wheel's) stops PostgreSQL when this was its last user.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            server.serve_forever()
        except (KeyboardInterrupt, SystemExit):
            self.stdout.write("Stopping the local Management API")
        finally:
            server.close()
