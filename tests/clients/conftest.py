"""The official Supabase clients, pinned and installed by `make clients` into .tools/clients,
driven as black boxes against the local API over real HTTP: the CLI through a profile file
pointing at the local API, the MCP server as JSON-RPC over stdio. One project (module-scoped)
serves each file's tests, so the folder stays quick."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.localapi.conftest import PROJECT_BODY, wait_for_status

from .mcp import MCPSession

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = ROOT / ".tools" / "clients" / "node_modules" / ".bin"
FEATURES = "account,database,debugging,development,functions,branching,storage"


def _binary(name: str) -> Path:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: the official Supabase clients cannot be installed here")
    found = BIN / name
    if not found.exists():
        pytest.fail(f"{found} is missing: run `make clients` (make test does)")
    return found


@pytest.fixture(scope="session")
def http_session(localapi: Any) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=localapi.base_url, headers={"Authorization": f"Bearer {localapi.token}"}, timeout=30
    ) as client:
        yield client


@pytest.fixture(scope="module")
def project(http_session: httpx.Client) -> dict[str, Any]:
    """One ACTIVE_HEALTHY project for the module's tests."""
    made = http_session.post("/v1/projects", json={**PROJECT_BODY, "name": "Clients"})
    assert made.status_code == 201, made.text
    return wait_for_status(http_session, made.json()["ref"], "ACTIVE_HEALTHY", timeout=60)


class CLI:
    """``supabase <args>`` with the profile and token, in a work directory of its own."""

    def __init__(self, binary: Path, env: dict[str, str], workdir: Path) -> None:
        self.binary, self.env, self.workdir = binary, env, workdir

    def run(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.binary), *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if check:
            assert done.returncode == 0, f"supabase {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "-o", "json").stdout)


@pytest.fixture(scope="session")
def cli(localapi: Any, tmp_path_factory: pytest.TempPathFactory) -> CLI:
    binary = _binary("supabase")
    home = tmp_path_factory.mktemp("cli-home")
    profile = home / "profile.json"
    profile.write_text(
        json.dumps(
            {
                "name": "platformkit-local",
                "api_url": localapi.base_url,
                "project_host": "localhost",
                "dashboard_url": localapi.base_url + "/dashboard",
            }
        )
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),  # no login state of the machine's user is read or written
        "SUPABASE_PROFILE": str(profile),
        "SUPABASE_ACCESS_TOKEN": localapi.token,
        "DO_NOT_TRACK": "1",
        "SUPABASE_TELEMETRY_DISABLED": "1",
        "NO_COLOR": "1",
    }
    workdir = home / "work"
    (workdir / "supabase").mkdir(parents=True)
    return CLI(binary, env, workdir)


@pytest.fixture(scope="session")
def mcp(localapi: Any) -> Iterator[MCPSession]:
    binary = _binary("mcp-server-supabase")
    session = MCPSession(
        [str(binary), "--access-token", localapi.token, "--api-url", localapi.base_url, "--features", FEATURES],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")},
    )
    yield session
    session.close()


def wait_for(check: Any, timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
