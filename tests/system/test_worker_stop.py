"""Stopping the worker as `make demo` stops it on Ctrl-C: a real ``qcluster`` stops in order
(pusher, workers, monitor) within a few seconds, instead of waiting out the 15 s and being
SIGKILLed because its sentinel died first (a SIGTERM to its whole process group did that)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from demo.run import stop_children
from tests.system.conftest import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_demo_s_stop_lets_the_worker_cluster_stop_in_order(start_worker) -> None:
    worker = start_worker()
    log = Path(worker._log.name)
    wait_until(lambda: "running." in log.read_text(errors="replace"), 60, "the cluster to run")

    started = time.monotonic()
    stop_children([worker.process], timeout=15)
    took = time.monotonic() - started

    text = log.read_text(errors="replace")
    assert worker.process.returncode == 0, text[-2000:]  # exited by itself, not SIGKILLed (-9)
    assert "stopped doing work" in text and "has stopped." in text, text[-2000:]
    assert took < 8, f"the cluster took {took:.1f} s to stop"
