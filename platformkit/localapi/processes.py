"""Which process runs a piece of work, written so that a later process can tell, for sure,
that it is gone: host, PID namespace, pid and the pid's start time.

A pid means something only inside its PID namespace: two containers with the same hostname
but their own namespaces each have a pid 1, 2, ... Work recorded by a process of another host
or another namespace is never judged here (nothing on this side can prove it gone)."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def _pid_namespace() -> str:
    """This process's PID namespace (``pid:[4026531836]``), or "" where /proc has none."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def started(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot, /proc's field 22): with the pid it names
    one process, not a later one given the same pid. None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]


def identity() -> str:
    """``host/pid-namespace/pid/start`` of this process."""
    return f"{socket.gethostname()}/{_pid_namespace()}/{os.getpid()}/{started(os.getpid())}"


def is_gone(recorded: str | None) -> bool:
    """Whether the process an :func:`identity` names is known to be gone: only provable for one
    of this host and this PID namespace. Anything else (another host, another namespace, an
    older record without a namespace) is not judged: False."""
    parts = (recorded or "").split("/")
    if len(parts) != 4:
        return False
    host, namespace, pid, start = parts
    if host != socket.gethostname() or namespace != _pid_namespace() or not pid.isdigit():
        return False
    if start == "None":  # no /proc here to tell a reused pid: the pid alone says
        return not pid_exists(int(pid))
    return started(int(pid)) != start


def pid_exists(pid: int) -> bool:
    """Whether a process ``pid`` exists in this PID namespace (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
