"""Rate limits: what a page view costs of the Management API's budget, and whether 10 operators
browsing for a minute stay within the documented 120 requests a minute per scope.

Part 1 counts the upstream requests of one view of each main page, with the read cache off
(the cost of a first visit) and on (the default ``READ_CACHE_SECONDS``, a second view within it).

Part 2 runs 10 simulated operators (threads, each its own logged-in Django test client) over
3 projects' pages in a random order, pausing a "think time" between views, against the local
API enforcing the documented budgets (120 per window per scope, 30 for logs and usage).
Time is compressed by ``SCALE``: the local API's window is 60 s / SCALE (``rate_limit_window_seconds``)
with the budgets unchanged, and the think times are divided by SCALE too, so the run sees the
same requests per window as a real minute would, in 60 s / SCALE. It runs twice: with the
read cache on (the default), then off (every view paying full price). Goal: no 429 reaches the
client and no page shows the rate-limited panel (the client's pacing may make calls wait).
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from typing import Any

from bench import _harness

SCALE = 10.0  # a minute in 6 s
OPERATORS = 10
MINUTE = 60.0
THINK_SECONDS = (3.0, 8.0)  # an operator's pause between page views, in real (uncompressed) time
PROJECTS = 3
DEFAULT_READ_CACHE_SECONDS = 5.0  # platformkit.conf's default
PAGES = ["project", "branches", "functions", "secrets", "migrations", "logs", "api-keys", "restore-points"]


def _url(name: str, ref: str | None) -> str:
    from django.urls import reverse

    return reverse("platformkit:projects") if name == "projects" else reverse(f"platformkit:{name}", args=[ref])


def _arrange(client: Any) -> list[str]:
    organization = client.organizations.list()[0]
    refs = [
        client.projects.create(
            name=f"bench-rate-{i}",
            organization_slug=organization.slug,
            db_pass="Bench-pass-0123456789-abcdefgh",
            region_selection={"type": "smartGroup", "code": "americas"},
        ).ref
        for i in range(PROJECTS)
    ]
    deadline = time.monotonic() + 60
    while any(client.projects.get(ref).status != "ACTIVE_HEALTHY" for ref in refs):
        assert time.monotonic() < deadline, "bench projects did not come up"
        time.sleep(0.2)
    return refs


def _calls_per_view(ref: str, cache_seconds: float) -> dict[str, float]:
    from django.conf import settings

    from platformkit.core import client as services

    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "READ_CACHE_SECONDS": cache_seconds}
    services.reset_client()
    browser = _harness.operator_client()
    figures = {}
    for name in ["projects", *PAGES]:
        url = _url(name, ref)
        services.forget_cached_reads()
        if cache_seconds:
            browser.get(url)  # the first view fills the cache; the figure is the next one's
        counter = _harness.UpstreamCallCounter()
        with counter.counting():
            response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
        figures[name] = counter.count
    return figures


def _browse(refs: list[str]) -> dict[str, float]:
    from django.db import connection

    pages = [("projects", None), *((name, ref) for ref in refs for name in PAGES)]
    duration = MINUTE / SCALE
    counter = _harness.UpstreamCallCounter()
    views: list[float] = []
    limited_pages = 0
    lock = threading.Lock()

    def operator(seed: int) -> None:
        nonlocal limited_pages
        chooser = random.Random(seed)
        browser = _harness.operator_client()
        ends = time.monotonic() + duration
        try:
            time.sleep(chooser.uniform(0, THINK_SECONDS[0]) / SCALE)  # operators do not arrive in step
            while time.monotonic() < ends:
                name, ref = chooser.choice(pages)
                started = time.perf_counter()
                response = browser.get(_url(name, ref))
                elapsed = time.perf_counter() - started
                with lock:
                    views.append(elapsed)
                    limited_pages += b'data-upstream-error="rate_limited"' in response.content
                assert response.status_code == 200, (name, response.status_code)
                time.sleep(chooser.uniform(*THINK_SECONDS) / SCALE)
        finally:
            connection.close()

    with counter.counting():
        started = time.monotonic()
        threads = [threading.Thread(target=operator, args=(seed,)) for seed in range(OPERATORS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=duration + 120)
        wall = time.monotonic() - started
    refused = sum(1 for status in counter.statuses if status == 429)
    return {
        "simulated minute, wall seconds": wall,
        "page views": len(views),
        "page views per operator-minute": len(views) / OPERATORS,
        "upstream requests": counter.count,
        "upstream requests per simulated minute": counter.count * MINUTE / (wall * SCALE),
        "429s the client received (goal 0)": refused,
        "pages showing 'rate limited' (goal 0)": limited_pages,
        "page view p50 (ms)": statistics.median(views) * 1000 if views else 0,
        "page view p95 (ms)": (statistics.quantiles(views, n=20)[-1] if len(views) > 1 else 0) * 1000,
    }


def run() -> dict[str, float]:
    from django.conf import settings

    from platformkit.core import client as services

    window = MINUTE / SCALE
    # The documented budgets (LocalAPIConfig's defaults), in a compressed window.
    with _harness.local_api(latency_seconds=0.01, status_delay_seconds=0.2, rate_limit_window_seconds=window):
        refs = _arrange(services.get_client(cached=False))
        time.sleep(window)  # arranging spent some of the account budget: start from a fresh window
        cold = _calls_per_view(refs[0], 0)
        warm = _calls_per_view(refs[0], DEFAULT_READ_CACHE_SECONDS)
        browsing = {}
        for label, cache_seconds in (("read cache on", DEFAULT_READ_CACHE_SECONDS), ("read cache off", 0.0)):
            time.sleep(window)  # each run starts in a fresh window
            settings.PLATFORMKIT = {**settings.PLATFORMKIT, "READ_CACHE_SECONDS": cache_seconds}
            services.reset_client()
            browsing.update({f"{label}: {name}": value for name, value in _browse(refs).items()})
    figures: dict[str, float] = {"operators": OPERATORS, "time compression (window = 60 s / this)": SCALE}
    for name in cold:
        figures[f"calls per view, {name}: cold"] = cold[name]
        figures[f"calls per view, {name}: cached"] = warm[name]
    figures.update(browsing)
    return figures


if __name__ == "__main__":
    _harness.setup_django()
    _harness.report("Rate limits: calls per page view; 10 operators for a minute", run())
