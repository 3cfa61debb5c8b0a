"""Invoking a deployed function: where Deno is installed (``make deno`` puts the npm package in
``.tools/deno``), each request runs the function's current version in a fresh Deno process inside
the sandbox of :mod:`.sandbox` (public network only, its own files read-only, only its own
environment variables, no writes or subprocesses) and a time limit. ``verify_jwt`` is enforced
first with the project's JWT secret."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
import uuid
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ipv6, sandbox

RUNNER = Path(__file__).with_name("runner.js")
REPO_DENO = Path(__file__).resolve().parents[3] / ".tools" / "deno" / "node_modules" / ".bin" / "deno"


def find_deno(configured: str | None = None) -> str | None:
    for candidate in (
        configured,
        os.environ.get("PLATFORMKIT_DENO"),
        str(REPO_DENO) if REPO_DENO.exists() else None,
        shutil.which("deno"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@dataclass
class Invocation:
    status: int
    headers: dict[str, str]
    body: bytes
    logs: list[dict[str, str]] = field(default_factory=list)
    execution_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    execution_time_ms: float = 0.0


def unpack(bundle: Path) -> Path:
    """The version's files beside its zip (once), for Deno to import."""
    target = bundle.with_suffix("")
    if not (target / ".complete").exists():
        shutil.rmtree(target, ignore_errors=True)
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(target)  # our own normalized zip: paths were checked at deploy
        (target / ".complete").touch()
    return target


def run(
    deno: str,
    bundle: Path,
    entrypoint: str,
    request: Mapping[str, Any],
    *,
    env: Mapping[str, str],
    timeout: float,
    cache_dir: Path,
    allowed_hosts: Sequence[str] = (),
    own_ports: Iterable[int] = (),
) -> Invocation:
    """``own_ports``: the ports the local API (and the site serving the invoke URL) answer on,
    denied even on an allowed host's addresses."""
    refused = sandbox.refusal(deno) or ipv6.refusal()
    if refused:  # fail closed: an unconfined function could reach this API
        return _failure(503, f"Functions cannot run here: {refused}.")
    root = unpack(bundle)
    started = time.monotonic()
    command = [
        deno,
        "run",
        "--quiet",
        *sandbox.permissions(root, env, allowed_hosts, own_ports),
        str(RUNNER),
        (root / entrypoint).as_uri(),
    ]
    process_env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(cache_dir),
        "DENO_DIR": str(cache_dir),
        "NO_COLOR": "1",
        **env,
    }
    try:
        done = subprocess.run(
            command,
            input=json.dumps(dict(request)).encode(),
            capture_output=True,
            timeout=timeout,
            env=process_env,
            cwd=root,
            preexec_fn=ipv6.preexec(),  # no IPv6 sockets (Deno cannot deny IPv6 ranges)
        )
    except subprocess.TimeoutExpired:
        return Invocation(
            504,
            {"content-type": "application/json"},
            json.dumps({"message": f"The function ran longer than {timeout:g} s"}).encode(),
            [{"level": "error", "message": f"timed out after {timeout:g} s"}],
            execution_time_ms=timeout * 1000,
        )
    elapsed = (time.monotonic() - started) * 1000
    logs = []
    for line in done.stderr.decode(errors="replace").splitlines():
        try:
            entry = json.loads(line)
            logs.append({"level": str(entry.get("level", "log")), "message": str(entry.get("message", ""))[:10_000]})
        except ValueError:
            if line.strip():
                logs.append({"level": "error", "message": line[:10_000]})
    try:
        answer = json.loads(done.stdout.decode() or "{}")
    except ValueError:
        answer = {"crashed": "the runtime answered something that is not JSON"}
    if "status" not in answer:
        reason = answer.get("crashed") or f"the runtime exited with {done.returncode}"
        if done.returncode == ipv6.EXIT_FILTER_FAILED and not done.stdout:
            reason = "its process could not be confined (the seccomp filter was refused), so it did not start"
        return _failure(500, f"The function failed: {reason}", logs, elapsed)
    return Invocation(
        int(answer["status"]),
        {str(k): str(v) for k, v in answer.get("headers", {}).items()},
        base64.b64decode(answer.get("body_b64") or ""),
        logs,
        execution_time_ms=elapsed,
    )


def _failure(status: int, message: str, logs: list[dict[str, str]] | None = None, elapsed: float = 0.0) -> Invocation:
    return Invocation(
        status,
        {"content-type": "application/json"},
        json.dumps({"message": message}).encode(),
        logs or [],
        execution_time_ms=elapsed,
    )
