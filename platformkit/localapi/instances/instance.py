"""One project's (or branch's) PostgreSQL instance: where its data dir, socket and port are,
and starting and stopping it. The surface other modules (recovery, pools, the manager) use:

- ``pgdata``: the data directory; ``socket_dir``: the Unix socket's directory; ``port``: its
  loopback TCP port (127.0.0.1);
- ``start(settings)`` / ``stop()`` / ``is_running()``;
- ``admin_conninfo()``: the local API's superuser (``supabase_admin``, over the socket only);
- ``sql_conninfo()``: the API's login for tenant SQL (``platformkit_sql``, which can only
  ``SET ROLE postgres``);
- swapping a recovered data dir in is the manager's (``Instances.swap_in``, the recovery
  engine's journalled swap).
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from platformkit.localapi import processes

from . import binaries
from .sizes import SizeSettings

# Included from postgresql.conf; rewritten before every start, so a data dir copied from the
# template or recovered from a backup gets this instance's port, socket and size.
SETTINGS_FILE = "platformkit.conf"
# A superuser session resolves nothing through the tenant's schemas (the tenant owns the
# database and may ``ALTER DATABASE ... SET search_path``).
SAFE_OPTIONS = "-c search_path=pg_catalog,pg_temp"


# A Unix socket's path is at most 107 bytes (sun_path); PostgreSQL adds "/.s.PGSQL.<port>".
SOCKET_PATH_MAX = 107 - len("/.s.PGSQL.65535")


def socket_dir_for(directory: Path) -> Path:
    """``directory/run``, or, when that path is too long for a socket (a data dir deep in a
    tree), ``<tmp>/platformkit-<hash of the data dir's path>/<name>`` (see :func:`_own_parent`)."""
    natural = directory / "run"
    if len(str(natural)) <= SOCKET_PATH_MAX:
        return natural
    import hashlib
    import tempfile

    key = hashlib.sha256(str(directory.parent.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"platformkit-{key}" / directory.name


def _own_parent(socket_dir: Path) -> None:
    """The shared temporary parent of short socket dirs: made by this process (0711), refused
    when another user made it first (it could otherwise steer where the sockets go)."""
    parent = socket_dir.parent
    try:
        parent.mkdir(mode=0o711)
    except FileExistsError:
        info = parent.lstat()
        if parent.is_symlink() or not parent.is_dir() or info.st_uid != os.geteuid():
            raise RuntimeError(f"{parent} exists but was not made by this user: no sockets go there") from None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Credentials:
    """The local API's own passwords, the same in every instance (baked into the template)."""

    admin_password: str  # supabase_admin
    sql_password: str  # platformkit_sql


class Instance:
    def __init__(self, ref: str, directory: Path, credentials: Credentials) -> None:
        self.ref = ref
        self.directory = directory
        self.pgdata = directory / "pgdata"
        self.socket_dir = socket_dir_for(directory)
        self.log_file = directory / "postgres.log"
        self._meta_file = directory / "instance.json"
        self._credentials = credentials

    # What the manager records beside the data dir

    def meta(self) -> dict[str, object]:
        try:
            return dict(json.loads(self._meta_file.read_text()))
        except (FileNotFoundError, ValueError):
            return {}

    def write_meta(self, **fields: object) -> None:
        merged = {**self.meta(), **fields}
        temporary = self._meta_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(merged))
        os.replace(temporary, self._meta_file)  # atomic: a crash leaves the old or the new file

    @property
    def port(self) -> int:
        return int(str(self.meta().get("port") or 0))

    @property
    def ready(self) -> bool:
        """Whether its creation finished (the data dir is complete and the tenant's password set)."""
        return self.meta().get("state") == "ready" and self.pgdata.is_dir()

    # Running

    def is_running(self) -> bool:
        try:
            pid = int((self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError, IndexError):
            return False
        return processes.pid_exists(pid)

    def start(self, settings: SizeSettings) -> None:
        """Start with ``settings`` (waits until it accepts connections); a port taken meanwhile
        by another program is replaced by a free one."""
        if self.is_running():
            return
        for attempt in range(3):
            self._write_settings(settings)
            done = binaries.run(
                "pg_ctl",
                ["-D", str(self.pgdata), "-l", str(self.log_file), "-w", "-t", "60", "start"],
                timeout=90,
                check=False,
            )
            if done.returncode == 0:
                return
            if attempt < 2 and "could not bind" in self._log_tail():
                self.write_meta(port=free_port())
                continue
            raise RuntimeError(f"instance {self.ref} did not start: {self._log_tail()[-800:] or done.stdout}")

    def stop(self) -> None:
        if not self.is_running():
            return
        binaries.run(
            "pg_ctl", ["-D", str(self.pgdata), "-m", "fast", "-w", "-t", "60", "stop"], timeout=90, check=False
        )

    def _write_settings(self, settings: SizeSettings) -> None:
        if self.socket_dir.parent != self.directory:
            _own_parent(self.socket_dir)
        self.socket_dir.mkdir(exist_ok=True)
        self.socket_dir.chmod(0o700)  # only the server's user (and root) can reach the socket
        binaries.give_to_server(self.socket_dir)
        values = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.socket_dir}'",
            **{key: f"'{value}'" for key, value in settings.as_conf().items()},
        }
        (self.pgdata / SETTINGS_FILE).write_text("".join(f"{key} = {value}\n" for key, value in values.items()))

    def _log_tail(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""

    # Connecting

    def _conninfo(self, user: str, password: str, dbname: str, **extra: str | int) -> str:
        params: dict[str, str | int] = {
            "host": str(self.socket_dir),
            "port": self.port,
            "user": user,
            "password": password,
            "dbname": dbname,
            **extra,
        }
        return psycopg.conninfo.make_conninfo("", **params)

    def admin_conninfo(self, dbname: str = "postgres") -> str:
        """The superuser, for the local API alone (see ``template.HBA``: socket only)."""
        return self._conninfo("supabase_admin", self._credentials.admin_password, dbname, options=SAFE_OPTIONS)

    def sql_conninfo(self, **extra: str | int) -> str:
        return self._conninfo("platformkit_sql", self._credentials.sql_password, "postgres", **extra)

    def direct_url(self, password: str = "[YOUR-PASSWORD]") -> str:
        """What a client uses (psql, the CLI's --db-url): the tenant's role over TCP."""
        from urllib.parse import quote

        secret = password if password == "[YOUR-PASSWORD]" else quote(password, safe="")
        return f"postgresql://postgres:{secret}@127.0.0.1:{self.port}/postgres"

    def wait_until_accepting(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.admin_conninfo(), connect_timeout=3) as conn:
                    conn.execute("select 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
