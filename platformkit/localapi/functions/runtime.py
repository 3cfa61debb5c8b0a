"""Invoking a deployed function: where Deno is installed (``make deno`` puts the npm package in
``.tools/deno``), each request runs the function's current version in a fresh Deno process with
network and environment access, read access to its own files only, no writes, no subprocesses,
and a time limit. ``verify_jwt`` is enforced first with the project's JWT secret."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
) -> Invocation:
    root = unpack(bundle)
    started = time.monotonic()
    command = [
        deno,
        "run",
        "--quiet",
        "--no-prompt",
        "--allow-net",
        "--allow-env",
        f"--allow-read={root}",
        "--deny-write",
        "--deny-run",
        "--deny-ffi",
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
        return Invocation(
            500,
            {"content-type": "application/json"},
            json.dumps({"message": f"The function failed: {reason}"}).encode(),
            logs,
            execution_time_ms=elapsed,
        )
    return Invocation(
        int(answer["status"]),
        {str(k): str(v) for k, v in answer.get("headers", {}).items()},
        base64.b64decode(answer.get("body_b64") or ""),
        logs,
        execution_time_ms=elapsed,
    )
