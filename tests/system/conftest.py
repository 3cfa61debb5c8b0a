"""Fixtures for tests that run the product as separate processes: django-q2 workers
(``manage.py qcluster``) against the test database, and a local Management API whose projects
take a while to come up, so there is time to watch (or kill) the poll."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

from demo.run import stop_children

BASE_DIR = Path(__file__).resolve().parent.parent.parent


class Worker:
    """A real ``qcluster`` subprocess in its own process group, seeing the test database."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, str(BASE_DIR / "manage.py"), "qcluster"],
            cwd=BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the whole cluster (guard, pusher, workers): no chance to finish or ack."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        """As ``make demo`` stops its worker: SIGTERM to the cluster's main process, which stops
        the rest in order (about a second); SIGKILL to the group after 15 s."""
        stop_children([self.process], timeout=15)
        self._log.close()


@pytest.fixture
def start_worker(tmp_path: Path, transactional_db) -> Iterator[Callable[[], Worker]]:
    """Starts qcluster subprocesses pointed at this test's database and API settings."""
    from django.conf import settings

    workers: list[Worker] = []

    def start(**extra_env: str) -> Worker:
        env = {
            **os.environ,
            **extra_env,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PLATFORMKIT_DB_NAME": connection.settings_dict["NAME"],
            "PLATFORMKIT_API_URL": settings.PLATFORMKIT["API_URL"],
            "PLATFORMKIT_API_TOKEN": settings.PLATFORMKIT["API_TOKEN"],
        }
        worker = Worker(env, tmp_path / "qcluster.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def slow_localapi(pg_location, settings) -> Iterator[object]:
    """A second local API whose projects stay COMING_UP for 12 s, with the site pointed at it."""
    from platformkit.localapi.config import LocalAPIConfig
    from platformkit.localapi.server import LocalAPIServer

    config = LocalAPIConfig(
        database_url=pg_location.url(),
        token="slow-" + secrets.token_urlsafe(16),
        status_delay_seconds=12.0,
        control_db="platformkit_localapi_slow",
        rate_limit_per_window=1_000_000,  # browsers polling for 12 s would only wait on the budget
        rate_limit_logs_per_window=1_000_000,
    )
    server = LocalAPIServer(config)
    server.start()
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_URL": server.base_url, "API_TOKEN": config.token}
    try:
        yield server
    finally:
        server.stop()


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
