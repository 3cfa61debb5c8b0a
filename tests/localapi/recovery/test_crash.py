"""A process SIGKILLed while it recovers or swaps leaves the old data intact or the new data
complete, once ``reconcile`` (and ``discard`` of an unfinished copy) has run; nothing is wedged."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time

import pytest

from platformkit.localapi.recovery import (
    Outcome,
    create_restore_point,
    discard,
    reconcile,
    recover,
    swap,
    take_base_backup,
)
from platformkit.localapi.recovery.postmaster import postmaster_pid
from platformkit.localapi.recovery.swap import CRASH_ENV

OLD = ["old", "newer"]  # the live data
NEW = ["old"]  # as at the restore point


@pytest.fixture
def prepared(make_instance):
    live = make_instance()
    take_base_backup(live.store, live.conninfo)
    live.insert("old")
    with live.connect() as conn:
        point = create_restore_point(conn, "p")
    live.insert("newer")
    return live, point


def engine(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "platformkit.localapi.recovery", *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def leftovers(live) -> list[str]:
    return sorted(p.name for p in live.data_dir.parent.iterdir() if p.name not in ("live", "store", "s"))


@pytest.mark.parametrize("step", ["journal-written", "live-moved-aside", "recovered-moved-in", "published"])
def test_swap_killed_at_each_step_is_completed_by_reconcile(prepared, step):
    live, point = prepared
    into = live.data_dir.with_name("recovered")
    recover(live.store, point, into)
    live.stop()

    process = engine("swap", str(live.data_dir), str(into), env={CRASH_ENV: step})
    assert process.wait(timeout=60) == -9, process.stderr.read() if process.stderr else ""

    assert reconcile(live.data_dir) is Outcome.COMPLETED
    assert reconcile(live.data_dir) is Outcome.NOTHING
    assert leftovers(live) == []
    live.start()
    assert live.rows() == NEW
    # The new timeline was published, so the next undo does not collide with it.
    with live.connect() as conn:
        again = create_restore_point(conn, "again")
    live.insert("gone again")
    into2 = live.data_dir.with_name("recovered")
    recover(live.store, again, into2)
    live.stop()
    swap(live.data_dir, into2)
    live.start()
    assert live.rows() == NEW


@pytest.mark.parametrize("delay", [0.3, 1.0])
def test_recover_killed_midway_leaves_the_live_data_intact(prepared, delay):
    live, point = prepared
    into = live.data_dir.with_name("recovered")
    live.stop()
    point_json = json.dumps({**dataclasses.asdict(point), "time": point.time.isoformat()})
    process = engine("recover", str(live.store.root), str(into), "--point", point_json, "--swap", str(live.data_dir))
    time.sleep(delay)
    process.kill()
    process.wait(timeout=30)

    outcome = reconcile(live.data_dir)
    if into.exists():
        discard(into)  # unfinished (or finished but never swapped): the local API drops it at start-up
    assert postmaster_pid(live.data_dir) is None
    assert leftovers(live) == []
    live.start()
    # Killed before the swap began: the old data; during it: completed by reconcile (the new);
    # after it (a fast machine finishes within the delay): the new, with nothing left to do.
    # Never a mix, never neither.
    rows = live.rows()
    assert rows == NEW if outcome is Outcome.COMPLETED else rows in (OLD, NEW)

    # Not wedged: the same undo runs to the end now.
    live.stop()
    recover(live.store, point, into)
    swap(live.data_dir, into)
    live.start()
    assert live.rows() == NEW
