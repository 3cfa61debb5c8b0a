"""Page latency: the project overview against the upstream calls it needs.

The local Management API answers every request after an injected delay (100 ms by default).
The overview needs the project and its health; fetched concurrently, the page should cost
about the slowest call, not the sum. Goal: page ≤ 1.25 × the slowest call.
"""

from __future__ import annotations

import statistics
import time

from bench import _harness

LATENCY = 0.100
ROUNDS = 15


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def run() -> dict[str, float]:
    from django.conf import settings
    from django.urls import reverse

    from platformkit.conf import get_config
    from platformkit.core import client as services

    with _harness.local_api(latency_seconds=LATENCY, status_delay_seconds=0.0):
        settings.PLATFORMKIT = {**settings.PLATFORMKIT, "READ_CACHE_SECONDS": 0}  # every view pays full price
        client = services.get_client(cached=False)
        project = _harness.new_project(client, "bench-latency")
        health_services = get_config()["HEALTH_SERVICES"]
        calls = {
            "project": lambda: client.projects.get(project.ref),
            "health": lambda: client.projects.health(project.ref, services=health_services),
        }
        upstream = {name: statistics.median(_timed(call) for _ in range(ROUNDS)) for name, call in calls.items()}

        browser = _harness.operator_client()
        url = reverse("platformkit:project", args=[project.ref])
        assert browser.get(url).status_code == 200
        counter = _harness.UpstreamCallCounter()
        with counter.counting():
            page = statistics.median(_timed(lambda: browser.get(url)) for _ in range(ROUNDS))
        slowest, total = max(upstream.values()), sum(upstream.values())
        return {
            "injected latency per call (ms)": LATENCY * 1000,
            "upstream calls per page view": counter.count / ROUNDS,
            "slowest call (ms)": slowest * 1000,
            "sum of calls (ms)": total * 1000,
            "page (ms)": page * 1000,
            "page / slowest (goal <= 1.25)": page / slowest,
            "page / sum": page / total,
        }


if __name__ == "__main__":
    _harness.setup_django()
    _harness.report("Page latency: project overview", run())
