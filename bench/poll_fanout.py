"""Poll fan-out: 50 viewers watching one project come up, against 1 viewer.

Viewers poll the operation's status partial, which reads our database only; the upstream
API is called by the one background task. Goal: upstream calls with 50 viewers ≤ 1.1 × with 1.
"""

from __future__ import annotations

import threading
import time

from bench import _harness

VIEWERS = 50
VIEWER_POLL_SECONDS = 0.25  # faster than a real page polls, to make the point sharper
STATUS_DELAY = 5.0


def _watch(viewers: int) -> tuple[int, int]:
    """Launch a project, run its wait task, let ``viewers`` poll until done.

    Returns (upstream calls, viewer polls answered)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.urls import reverse

    from platformkit.core.client import get_client
    from platformkit.models import Operation
    from platformkit.sections.projects import services, tasks

    operator = get_user_model().objects.get_or_create(username="bench-operator", defaults={"is_staff": True})[0]
    organization = get_client().organizations.list()[0]
    counter = _harness.UpstreamCallCounter()
    polls = 0
    polls_lock = threading.Lock()
    with counter.counting():
        operation = services.launch_project(
            user=operator,
            name=f"bench-fanout-{viewers}",
            organization_slug=organization.slug,
            region_code="americas",
            instance_size="micro",
        )
        url = reverse("platformkit:operation", args=[operation.pk])

        def viewer() -> None:
            nonlocal polls
            browser = _harness.operator_client()
            try:
                while True:
                    response = browser.get(url, headers={"HX-Request": "true"})
                    with polls_lock:
                        polls += 1
                    if b"hx-trigger" not in response.content:
                        return
                    time.sleep(VIEWER_POLL_SECONDS)
            finally:
                connection.close()

        threads = [threading.Thread(target=viewer) for _ in range(viewers)]
        for thread in threads:
            thread.start()
        # What the worker does: run the task until the operation ends (a run may hand over).
        while not Operation.objects.get(pk=operation.pk).is_terminal:
            tasks.wait_for_project_healthy(operation.pk)
        for thread in threads:
            thread.join(timeout=60)
        assert Operation.objects.get(pk=operation.pk).status == "succeeded"
    return counter.count, polls


def run() -> dict[str, float]:
    with _harness.local_api(status_delay_seconds=STATUS_DELAY):
        one_calls, one_polls = _watch(1)
        many_calls, many_polls = _watch(VIEWERS)
    return {
        "upstream calls, 1 viewer": one_calls,
        f"upstream calls, {VIEWERS} viewers": many_calls,
        "viewer polls answered, 1 viewer": one_polls,
        f"viewer polls answered, {VIEWERS} viewers": many_polls,
        f"calls {VIEWERS} / calls 1 (goal <= 1.1)": many_calls / one_calls,
    }


if __name__ == "__main__":
    _harness.setup_django()
    _harness.report("Poll fan-out", run())
