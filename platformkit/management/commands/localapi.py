"""``manage.py localapi``: the local Management API over loopback HTTP.

Without ``--database-url`` it runs an embedded PostgreSQL under ``DIR/pg`` (stopped on exit
when no other process uses it); without ``--token`` it reuses ``DIR/localapi/token`` or
generates one there and prints it.
"""

from __future__ import annotations

import ipaddress
import secrets
import signal
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from platformkit.localapi.config import LocalAPIConfig
from platformkit.localapi.pgserver import start_embedded
from platformkit.localapi.server import LocalAPIServer


def _token(data_dir: Path, given: str | None) -> tuple[str, bool]:
    if given:
        return given, False
    path = data_dir / "localapi" / "token"
    if path.exists() and path.read_text().strip():
        return path.read_text().strip(), False
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    path.write_text(token)
    path.chmod(0o600)
    return token, True


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Command(BaseCommand):
    help = "Serve the local Management API (same /v1 paths as Supabase's) backed by a real PostgreSQL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8765", help="host:port to listen on (loopback by default)")
        parser.add_argument("--token", help="bearer token clients must send (default: stored in DIR/localapi/token)")
        parser.add_argument("--data", default=".data/demo", help="data directory (embedded PostgreSQL, token)")
        parser.add_argument("--database-url", help="use this PostgreSQL server (a superuser URL) instead of the embedded one")
        parser.add_argument("--status-delay", type=float, default=3.0, help="seconds a project stays COMING_UP")
        parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer (benchmarks)")
        parser.add_argument("--allow-remote", action="store_true", help="allow listening on a non-loopback address")

    def handle(self, *args: Any, **options: Any) -> None:
        host, _, port = options["addrport"].rpartition(":")
        if not host or not port.isdigit():
            raise CommandError("--addrport must look like 127.0.0.1:8765")
        if not _is_loopback(host) and not options["allow_remote"]:
            raise CommandError(f"{host} is not a loopback address; pass --allow-remote to listen there")
        data_dir = Path(options["data"]).resolve()
        database_url = options["database_url"] or start_embedded(data_dir).url()
        token, generated = _token(data_dir, options["token"])
        config = LocalAPIConfig(
            database_url=database_url,
            token=token,
            status_delay_seconds=options["status_delay"],
            latency_seconds=options["latency"],
        )
        server = LocalAPIServer(config, host.strip("[]"), int(port), quiet=False)
        self.stdout.write(f"Local Management API on {server.base_url}/v1")
        if generated:
            self.stdout.write(f"Generated token (stored in {data_dir / 'localapi' / 'token'}): {token}")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            server.serve_forever()
        except (KeyboardInterrupt, SystemExit):
            self.stdout.write("Stopping the local Management API")
        finally:
            server.close()
