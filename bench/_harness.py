"""Shared set-up for the benchmarks: a fresh site database and a local Management API.

Everything runs in one process against the real pieces: the embedded PostgreSQL under
``.data/bench``, the local Management API over loopback HTTP (with an injected per-request
latency where a benchmark asks for one), and Django's test client for pages.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data" / "bench"
SITE_DB = "platformkit_bench_site"


def setup_django() -> None:
    os.environ["PLATFORMKIT_DATA_DIR"] = str(DATA_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    # The demo's worker windows, not the tests' short ones.
    os.environ.setdefault("PLATFORMKIT_Q_TIMEOUT", "60")
    os.environ.setdefault("PLATFORMKIT_Q_RETRY", "90")
    from platformkit.localapi.pgserver import start_embedded

    location = start_embedded(DATA_DIR)
    import psycopg
    from psycopg import sql

    with psycopg.connect(location.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(SITE_DB)))
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(SITE_DB)))
    os.environ["PLATFORMKIT_DB_NAME"] = SITE_DB

    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["NAME"] = SITE_DB
    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    _location_holder.append(location)


_location_holder: list = []


@contextmanager
def local_api(latency_seconds: float = 0.0, status_delay_seconds: float = 0.5, **options: object) -> Iterator[object]:
    """A local Management API over loopback, with the site's settings pointed at it; ``options``
    are further :class:`LocalAPIConfig` fields (e.g. the rate-limit budgets)."""
    from django.conf import settings

    from platformkit.localapi.config import LocalAPIConfig
    from platformkit.localapi.server import LocalAPIServer

    location = _location_holder[0]
    config = LocalAPIConfig(
        database_url=location.url(),
        token="bench-" + secrets.token_urlsafe(16),
        status_delay_seconds=status_delay_seconds,
        control_db="platformkit_localapi_bench",
        latency_seconds=latency_seconds,
        **options,  # type: ignore[arg-type]
    )
    server = LocalAPIServer(config)
    server.start()
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_URL": server.base_url, "API_TOKEN": config.token}
    _reset_platformkit_state()
    try:
        yield server
    finally:
        server.stop()


def _reset_platformkit_state() -> None:
    from django.core.cache import cache

    from platformkit import conf
    from platformkit.core import client as services

    conf.get_config.cache_clear() if hasattr(conf.get_config, "cache_clear") else None
    if hasattr(services, "reset_client"):
        services.reset_client()
    cache.clear()


def new_project(client, name: str, *, healthy: bool = False):
    """A project made through the client, in the first organization (it comes up on its own;
    ``healthy``: waited for until ACTIVE_HEALTHY, up to a minute)."""
    organization = client.organizations.list()[0]
    project = client.projects.create(
        name=name,
        organization_slug=organization.slug,
        db_pass="Bench-pass-0123456789-abcdefgh",
        region_selection={"type": "smartGroup", "code": "americas"},
    )
    deadline = time.monotonic() + 60
    while healthy and client.projects.get(project.ref).status != "ACTIVE_HEALTHY":
        assert time.monotonic() < deadline, f"project {name} did not come up"
        time.sleep(0.2)
    return project


def operator_client():
    """A logged-in Django test client for a staff operator."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username="bench-operator", defaults={"is_staff": True})
    client = Client()
    client.force_login(user)
    return client


class UpstreamCallCounter(logging.Handler):
    """Counts the client's request log records (those naming an attempt): one per HTTP request
    sent upstream, not its warnings or pacing notes; ``statuses`` holds each answer's status."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self._lock = threading.Lock()
        self.count = 0
        self.statuses: list[int | None] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not hasattr(record, "api_attempt"):
            return
        with self._lock:
            self.count += 1
            self.statuses.append(getattr(record, "api_status", None))

    @contextmanager
    def counting(self) -> Iterator[UpstreamCallCounter]:
        logger = logging.getLogger("platformkit.api")
        previous = logger.level
        logger.addHandler(self)
        logger.setLevel(logging.DEBUG)
        try:
            yield self
        finally:
            logger.removeHandler(self)
            logger.setLevel(previous)


def report(title: str, figures: dict[str, float]) -> None:
    print(f"\n== {title}")
    width = max(map(len, figures))
    for name, value in figures.items():
        shown = f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
        print(f"  {name:<{width}}  {shown}")
