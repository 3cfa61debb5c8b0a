"""``manage.py localapi`` as a real process: serves, keeps its token, stops cleanly on SIGTERM,
refuses non-loopback addresses unless told, and runs its own embedded PostgreSQL."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]


class Running:
    def __init__(self, process: subprocess.Popen[str], lines: list[str]) -> None:
        self.process, self.lines = process, lines
        self.base_url = next(
            re.search(r"(http://\S+)/v1", line).group(1) for line in lines if "Local Management API on" in line
        )  # type: ignore[union-attr]
        # Read what the server prints as it prints it: a pipe nobody reads fills (64 KB of request
        # and statement logs) and blocks the server mid-request.
        self._after: list[str] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._after.append(line)

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        return self.process.returncode, "".join(self._after)


_started: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _no_server_outlives_its_test() -> Iterator[None]:
    yield
    while _started:
        process = _started.pop()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def start(*arguments: str) -> Running:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "localapi", "--addrport", "127.0.0.1:0", *arguments],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _started.append(process)
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:  # until it says where it listens (or dies)
        lines.append(line)
        if "Local Management API on" in line:
            break
    if process.poll() is not None or not any("Local Management API on" in line for line in lines):
        process.kill()
        pytest.fail("manage.py localapi did not start:\n" + "".join(lines) + process.stdout.read())
    return Running(process, lines)


@pytest.fixture
def database_url_args(pg_location: Any) -> Iterator[list[str]]:
    import psycopg

    yield ["--database-url", pg_location.url(), "--control-db", "platformkit_localapi_command"]
    with psycopg.connect(pg_location.url(), autocommit=True) as conn:
        conn.execute("drop database if exists platformkit_localapi_command with (force)")


def test_generates_keeps_and_reuses_a_token(tmp_path: Path, database_url_args: list[str]) -> None:
    running = start("--data", str(tmp_path), *database_url_args)
    token_file = tmp_path / "localapi" / "token"
    token = token_file.read_text()
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert any(token in line and "Generated token" in line for line in running.lines)
    assert (
        httpx.get(running.base_url + "/v1/organizations", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    assert (
        httpx.get(running.base_url + "/v1/organizations", headers={"Authorization": "Bearer other"}).status_code == 401
    )
    code, rest = running.stop()
    assert code == 0 and "Stopping" in rest

    again = start("--data", str(tmp_path), *database_url_args)
    assert not any("Generated token" in line for line in again.lines)
    assert (
        httpx.get(again.base_url + "/v1/organizations", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    assert again.stop()[0] == 0


def test_given_token(tmp_path: Path, database_url_args: list[str]) -> None:
    running = start("--data", str(tmp_path), "--token", "given-token", *database_url_args)
    try:
        assert (
            httpx.get(running.base_url + "/v1/projects", headers={"Authorization": "Bearer given-token"}).status_code
            == 200
        )
        assert not (tmp_path / "localapi" / "token").exists()
    finally:
        assert running.stop()[0] == 0


@pytest.mark.parametrize("addrport", ["0.0.0.0:8765", "192.0.2.1:8765", "example.com:8765"])
def test_refuses_non_loopback_without_allow_remote(addrport: str, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not a loopback address; pass --allow-remote"):
        call_command("localapi", "--addrport", addrport, "--data", str(tmp_path))
    assert not (tmp_path / "pg").exists()


@pytest.mark.parametrize("addrport", ["8765", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:99999"])
def test_rejects_malformed_addrport(addrport: str, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--addrport must look like"):
        call_command("localapi", "--addrport", addrport, "--data", str(tmp_path))


@pytest.mark.slow
def test_runs_its_own_embedded_postgres_under_the_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    running = start("--data", str(data), "--status-delay", "0")
    token = (data / "localapi" / "token").read_text()
    headers = {"Authorization": f"Bearer {token}"}
    project = httpx.post(
        running.base_url + "/v1/projects",
        json={"name": "Embedded", "organization_slug": "localorganization", "db_pass": "pw-embedded"},
        headers=headers,
        timeout=30,
    ).json()
    assert (data / "pg" / "PG_VERSION").exists()  # the control state's cluster
    got = httpx.get(running.base_url + f"/v1/projects/{project['ref']}", headers=headers).json()
    assert got["database"]["host"] == "127.0.0.1"  # the project's own instance, over loopback TCP
    instance = data / "localapi" / "instances" / "projects" / project["ref"] / "pgdata"
    assert (data / "pg" / "postmaster.pid").exists() and (instance / "postmaster.pid").exists()
    assert running.stop()[0] == 0
    assert not (data / "pg" / "postmaster.pid").exists(), "the embedded server outlived the command"
    assert not (instance / "postmaster.pid").exists(), "the project's instance outlived the command"


def test_rate_limit_flags_set_the_budgets(tmp_path: Path, database_url_args: list[str]) -> None:
    running = start(
        "--data", str(tmp_path), "--token", "given-token", "--rate-limit", "2", "--rate-limit-window", "30",
        *database_url_args,
    )  # fmt: skip
    try:
        answers = [
            httpx.get(running.base_url + "/v1/projects", headers={"Authorization": "Bearer given-token"})
            for _ in range(3)
        ]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[0].headers["X-RateLimit-Limit"] == "2"
        assert 0 < int(answers[2].headers["Retry-After"]) <= 30
    finally:
        assert running.stop()[0] == 0
