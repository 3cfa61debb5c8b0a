"""Several calls at once: a page costs its slowest call, and one failure stays its own."""

from __future__ import annotations

import time

import httpx

from platformkit.api import ManagementClient, errors
from tests.api.conftest import REF, TOKEN


def _slow_api(request: httpx.Request) -> httpx.Response:
    time.sleep(0.2)
    if request.url.path.endswith("/health"):
        return httpx.Response(500, json={"message": "Failed to retrieve health"})
    return httpx.Response(200, json={"ref": REF, "name": "p", "status": "ACTIVE_HEALTHY"})


def test_calls_run_concurrently_and_keep_their_order_and_errors():
    with ManagementClient(TOKEN, "https://api.example.test", transport=httpx.MockTransport(_slow_api)) as client:
        started = time.perf_counter()
        project, health, again = client.parallel(
            lambda: client.projects.get(REF),
            lambda: client.projects.health(REF, services=["db"]),
            lambda: client.projects.get(REF),
        )
        elapsed = time.perf_counter() - started
    assert project.ok and project.value.ref == REF and again.unwrap().name == "p"
    assert not health.ok and isinstance(health.error, errors.ServerError)
    # Three 200 ms calls: about 200 ms together, never the 600 ms sum.
    assert elapsed < 0.45, elapsed
