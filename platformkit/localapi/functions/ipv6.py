"""No IPv6 for functions: a seccomp filter, installed in the function's process between fork and
exec, makes ``socket(AF_INET6, ...)`` fail with EAFNOSUPPORT (and io_uring, which could make
sockets past the filter, with ENOSYS).

Why: Deno's ``--deny-net`` takes IPv4 ranges but no IPv6 ranges (2.9: ``fc00::/7`` is refused as a
flag), so other hosts of a unique-local IPv6 network the machine is on (this one's gateway, say)
would be reachable by address or by a name resolving there. Without IPv6 sockets, a name with
both families connects over IPv4 (checked against the denied IPv4 ranges); an IPv6-only host is
unreachable, including an allowed one. The filter is built once with libseccomp (through
pyseccomp) and exported as BPF; the child only makes two ``prctl`` calls, so nothing that could
wait on a lock the parent's other threads hold runs between fork and exec.

Where seccomp is unavailable (not Linux, no libseccomp), :func:`refusal` says so when the
machine has IPv6 addresses beyond loopback and link-local (a network such hosts could be on) or
cannot tell (no ``/proc``), and functions are refused rather than run with IPv6 open.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
EXIT_FILTER_FAILED = 126  # the child exits before exec: the invocation fails, closed


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class Guard:
    """The exported filter and the two calls that install it (``preexec_fn`` of the Deno process)."""

    def __init__(self, program: bytes) -> None:
        self._instructions = ctypes.create_string_buffer(program, len(program))
        self._program = _SockFprog(len(program) // 8, ctypes.cast(self._instructions, ctypes.c_void_p))
        self._prctl = ctypes.CDLL(None, use_errno=True).prctl
        self._prctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong)

    def __call__(self) -> None:
        # NO_NEW_PRIVS lets an unprivileged process install a filter; both are inherited by exec.
        if self._prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
            os._exit(EXIT_FILTER_FAILED)
        if self._prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(self._program), 0, 0) != 0:
            os._exit(EXIT_FILTER_FAILED)


@functools.cache
def _built() -> Guard | str:
    """The guard, or why there is none here."""
    if not sys.platform.startswith("linux"):
        return f"seccomp exists on Linux only (this is {sys.platform})"
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError, OSError) as exc:  # RuntimeError: "Unable to find libseccomp"
        return f"libseccomp is not available ({exc})"
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    rules.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.EQ, socket.AF_INET6))
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "io_uring_setup")
    with tempfile.TemporaryFile() as exported:
        rules.export_bpf(exported)
        exported.seek(0)
        program = exported.read()
    return Guard(program)


def preexec() -> Callable[[], None] | None:
    """What the function's process runs before exec: the filter, or ``None`` without seccomp."""
    built = _built()
    return built if isinstance(built, Guard) else None


def routable_addresses(if_inet6: Path = Path("/proc/net/if_inet6")) -> list[str] | None:
    """This machine's IPv6 addresses other than loopback and link-local (scope 0: global or
    unique-local), from the kernel's table; ``None`` where there is no such table (unknown)."""
    try:
        lines = if_inet6.read_text().splitlines()
    except FileNotFoundError:
        return [] if Path("/proc/net").is_dir() else None  # a Linux kernel without IPv6
    except OSError:
        return None
    found = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 4 and fields[3] == "00":
            found.append(str(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(fields[0]))))
    return found


def refusal() -> str | None:
    """Why functions cannot run here with IPv6 closed, or ``None`` when they can."""
    built = _built()
    if isinstance(built, Guard):
        return None
    addresses = routable_addresses()
    if addresses == []:
        return None  # no IPv6 network beyond this host: nothing to reach
    where = "IPv6 may be routed here"
    if addresses:
        where = f"this machine is on an IPv6 network ({', '.join(addresses[:3])})"
    return f"{where} and functions cannot be kept off its other hosts: {built}"
