"""The worker cluster under the demo's own database settings (a psycopg pool per process, as
`make demo` and the README's recipe run it): it keeps taking tasks. With the pool, qcluster's
forked processes shared their parent's pooled sockets and its task pusher died within seconds
of every start ("generator raised StopIteration"), so every launch, merge and undo hung."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django_q.models import Success
from django_q.tasks import async_task

from tests.system.conftest import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_worker_with_the_demo_s_pool_keeps_taking_tasks(start_worker) -> None:
    worker = start_worker(PLATFORMKIT_TEST_DB_POOL="1")
    for batch in range(4):  # tasks arriving over several seconds, as pages enqueue them
        for index in range(5):
            async_task("math.hypot", 3, 4 + batch * 5 + index, q_options={"group": "pool-test"})
        time.sleep(2)
    wait_until(lambda: Success.objects.filter(group="pool-test").count() == 20, 60, "20 tasks done")
    assert worker.process.poll() is None
    log = Path(worker._log.name).read_text(errors="replace")
    assert "Failed to pull task" not in log and "StopIteration" not in log, log[-2000:]
