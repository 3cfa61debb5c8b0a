"""100 operators at once: the site as `make demo` serves it (gunicorn, bounded workers and
threads, a connection pool per worker) under 100 concurrent logged-in operators browsing the
overview, branches, SQL, advisors and logs pages of one project.

Goals (issue 17): 0 errors, and p99 <= 10 x the single-operator p50. Each operator has its own
session; every page is a full GET through the site, which calls the local Management API. A
page that answers 200 but shows an upstream error panel (the API's rate limit spent, a timeout)
counts as an error: it is one to the operator reading it.

Two runs, both printed:
- *browsing*: each operator reads a page for 2-6 s (seeded) before the next, as people do; the
  p99 goal is measured here;
- *flat out*: no pause at all, 100 requests always in flight. On 2 cores this is a queue
  (Little's law: latency = 100 / throughput), so only its error count is a goal (0).
"""

from __future__ import annotations

import os
import random
import re
import socket
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from bench import _harness

OPERATORS = 100
VIEWS_PER_OPERATOR = 10
SINGLE_ROUNDS = 20
THINK_SECONDS = (2.0, 6.0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_serving(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"the site did not answer on {url}")


def _sessions(count: int) -> list[str]:
    """Session cookies of ``count`` staff operators (force_login: no password hashing)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    cookies = []
    for number in range(count):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-op-{number}", defaults={"is_staff": True})
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    return cookies


UPSTREAM_ERROR = re.compile(r'data-upstream-error="([^"]*)"')
LOADING = "data-panel-loading"


def _browse(
    base: str, cookie: str, paths: list[str], views: int, think: tuple[float, float] | None = None, seed: int = 0
) -> tuple[list[float], list[str], int]:
    """Each view's seconds, its errors (a status other than 200, or a page showing an upstream
    error panel: "rate limited" is an error to the operator reading it), and how many views
    were sent with a panel still loading (it fills itself in: slower, not wrong)."""
    timings: list[float] = []
    errors: list[str] = []
    loading = 0
    pauses = random.Random(seed)
    with httpx.Client(base_url=base, cookies={"sessionid": cookie}, timeout=60) as client:
        for number in range(views):
            if think:
                time.sleep(pauses.uniform(*think))
            path = paths[number % len(paths)]
            started = time.perf_counter()
            try:
                response = client.get(path)
                if response.status_code != 200:
                    errors.append(f"{path}: {response.status_code}")
                errors.extend(f"{path}: upstream {kind}" for kind in sorted(set(UPSTREAM_ERROR.findall(response.text))))
                loading += LOADING in response.text
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {type(exc).__name__}")
            timings.append(time.perf_counter() - started)
    return timings, errors, loading


def run() -> dict[str, float]:
    from django.conf import settings
    from django.urls import reverse

    from platformkit.core import client as services

    with _harness.local_api(status_delay_seconds=0.0) as api:
        client = services.get_client(cached=False)
        project = _harness.new_project(client, "bench-operators")
        paths = [
            reverse(name, args=[project.ref])
            for name in (
                "platformkit:project",
                "platformkit:branches",
                "platformkit:sql",
                "platformkit:advisors",
                "platformkit:logs",
            )
        ]
        cookies = _sessions(OPERATORS)
        port = _free_port()
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.site_settings",
            "PLATFORMKIT_API_URL": api.base_url,
            "PLATFORMKIT_API_TOKEN": api.token,
            "PLATFORMKIT_DB_NAME": str(settings.DATABASES["default"]["NAME"]),
        }
        from demo.run import SITE_THREADS, site_command, site_workers

        workers = site_workers()
        # The command `make demo` serves with (demo.run), not a copy of it that could drift.
        site = subprocess.Popen(
            site_command(f"127.0.0.1:{port}", workers, SITE_THREADS), cwd=_harness.BASE_DIR, env=environment
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_serving(base + "/accounts/login/", site)
            _browse(base, cookies[0], paths, len(paths))  # warm every worker's imports once
            single, single_errors, _ = _browse(base, cookies[0], paths, SINGLE_ROUNDS)
            figures = {"gunicorn workers x threads": float(workers * SITE_THREADS)}
            figures["1 operator p50 ms"] = statistics.median(single) * 1000
            for label, think in (("browsing", THINK_SECONDS), ("flat out", None)):
                started = time.perf_counter()
                with ThreadPoolExecutor(OPERATORS) as pool:
                    futures = [
                        pool.submit(_browse, base, cookie, paths, VIEWS_PER_OPERATOR, think, seed)
                        for seed, cookie in enumerate(cookies)
                    ]
                    results = [future.result() for future in futures]
                elapsed = time.perf_counter() - started
                figures.update(_figures(label, results, elapsed, statistics.median(single), single_errors))
                single_errors = []
        finally:
            site.terminate()
            site.wait(timeout=20)
    return figures


def _figures(
    label: str, results: list[tuple[list[float], list[str], int]], elapsed: float, single_p50: float, extra: list[str]
) -> dict[str, float]:
    timings = sorted(t for result, _, _ in results for t in result)
    errors = [e for _, result, _ in results for e in result] + extra
    if errors:
        print(f"  {label}: errors (first 5):", errors[:5])
    p99 = timings[max(0, int(len(timings) * 0.99) - 1)]
    return {
        f"{label}: page views": float(len(timings)),
        f"{label}: errors (goal 0)": float(len(errors)),
        f"{label}: views sent with a panel loading": float(sum(loading for _, _, loading in results)),
        f"{label}: p50 ms": statistics.median(timings) * 1000,
        f"{label}: p99 ms": p99 * 1000,
        f"{label}: p99 / 1-operator p50" + (" (goal <= 10)" if label == "browsing" else ""): p99 / single_p50,
        f"{label}: page views per second": len(timings) / elapsed,
    }


if __name__ == "__main__":
    _harness.setup_django()
    _harness.report("100 operators at once (gunicorn)", run())
