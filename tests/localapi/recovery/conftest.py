"""Real PostgreSQL 18 instances in temporary directories, for the recovery engine's tests.

``initdb`` runs once per session (2 s); each instance is a copy of that template (0.2 s),
archiving into its own store, started on a free loopback port and a private socket dir.
As root (CI, containers), the directories belong to the embedded-postgres system user and
the engine runs the programs as that user, as it would in the local API.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from platformkit.localapi.recovery import BackupStore, configure_archiving, find_binary
from platformkit.localapi.recovery.binaries import run
from platformkit.localapi.recovery.postmaster import free_port, start, stop

SYSTEM_USER = "embedded_postgres"  # the account embedded-postgres runs its server as under root


def _chown_to_system_user(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


@dataclass
class Instance:
    data_dir: Path
    socket_dir: Path
    store: BackupStore
    port: int

    @property
    def conninfo(self) -> str:
        return f"host={self.socket_dir} port={self.port} user=postgres dbname=postgres"

    def start(self) -> None:
        start(self.data_dir, port=self.port, socket_dir=self.socket_dir)

    def stop(self) -> None:
        stop(self.data_dir)

    def connect(self, **kwargs: Any) -> psycopg.Connection[Any]:
        return psycopg.connect(self.conninfo, autocommit=True, **kwargs)

    def rows(self, table: str = "t") -> list[str]:
        with self.connect() as conn:
            return [row[0] for row in conn.execute(f"select v from {table} order by id").fetchall()]

    def insert(self, *values: str, table: str = "t") -> None:
        with self.connect() as conn:
            for value in values:
                conn.execute(f"insert into {table} (v) values (%s)", (value,))


@pytest.fixture(scope="session")
def workspace() -> Iterator[Path]:
    """A directory the PostgreSQL account can use (pytest's tmp_path is root-only under root)."""
    root = Path(tempfile.mkdtemp(prefix="pkrec-t-"))
    root.chmod(0o755)
    _chown_to_system_user(root)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def template(workspace: Path) -> Path:
    path = workspace / "template"
    path.mkdir(mode=0o700)
    _chown_to_system_user(path)
    run(
        [
            find_binary("initdb"),
            "-D",
            str(path),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--wal-segsize=1",
        ],
        as_owner_of=path,
        timeout=120,
    )
    return path


@pytest.fixture
def make_instance(workspace: Path, template: Path) -> Iterator[Any]:
    """A factory of running instances (each with its own store), all stopped at teardown."""
    made: list[Instance] = []

    def make(name: str = "live") -> Instance:
        home = Path(tempfile.mkdtemp(prefix="i-", dir=workspace))
        home.chmod(0o755)
        _chown_to_system_user(home)
        data_dir = home / name
        subprocess.run(["cp", "-a", str(template), str(data_dir)], check=True)
        store = BackupStore(home / "store")
        configure_archiving(data_dir, store, archive_timeout=60)
        socket_dir = home / "s"
        socket_dir.mkdir()
        _chown_to_system_user(socket_dir)
        instance = Instance(data_dir=data_dir, socket_dir=socket_dir, store=store, port=free_port())
        instance.start()
        with instance.connect() as conn:
            conn.execute("create table t (id bigserial primary key, v text not null)")
        made.append(instance)
        return instance

    yield make
    for instance in made:
        for path in instance.data_dir.parent.iterdir():
            if (path / "postmaster.pid").exists():
                stop(path, mode="immediate")
