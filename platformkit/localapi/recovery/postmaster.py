"""Starting and stopping a PostgreSQL server on a data directory (used by recovery and tests)."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from .binaries import RecoveryError, find_binary, run


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postmaster_pid(data_dir: Path | str) -> int | None:
    """The pid of a server running on ``data_dir``, or None (no postmaster.pid, or a stale one)."""
    path = Path(data_dir) / "postmaster.pid"
    try:
        pid = int(path.read_text().splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def postmaster_status(data_dir: Path | str) -> str:
    """postmaster.pid's status line: "starting", "standby", "ready", "stopping"; "" if none."""
    try:
        lines = (Path(data_dir) / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return ""
    return lines[7].strip() if len(lines) > 7 else ""


def start(data_dir: Path | str, *, port: int, socket_dir: Path | str, options: dict[str, str] | None = None) -> None:
    """``pg_ctl start -w`` on a loopback port and ``socket_dir``; returns once it accepts connections."""
    settings = {"port": str(port), "listen_addresses": "127.0.0.1", "unix_socket_directories": str(socket_dir)}
    settings.update(options or {})
    opts = " ".join(f"-c {key}={value}" for key, value in settings.items())
    log = Path(socket_dir) / f"postgres-{port}.log"
    run(
        [find_binary("pg_ctl"), "start", "-w", "-t", "60", "-D", str(data_dir), "-l", str(log), "-o", opts],
        as_owner_of=data_dir,
        timeout=90,
    )


def stop(data_dir: Path | str, *, mode: str = "fast", timeout: float = 60) -> None:
    """``pg_ctl stop`` (``fast`` by default: a clean shutdown checkpoint); nothing if not running."""
    if postmaster_pid(data_dir) is None:
        return
    try:
        run(
            [find_binary("pg_ctl"), "stop", "-w", "-t", str(int(timeout)), "-m", mode, "-D", str(data_dir)],
            as_owner_of=data_dir,
            timeout=timeout + 10,
        )
    except RecoveryError:
        if postmaster_pid(data_dir) is not None:
            raise
    deadline = time.monotonic() + timeout
    while postmaster_pid(data_dir) is not None and time.monotonic() < deadline:
        time.sleep(0.02)
