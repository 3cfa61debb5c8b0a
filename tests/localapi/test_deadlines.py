"""One watcher thread runs the deadlines of the process's calls: an action runs when its block
outlives the deadline, never after the block has ended; a forked child inherits none of them."""

from __future__ import annotations

import os
import threading
import time

from platformkit.localapi.deadlines import Deadlines


def test_an_action_runs_inside_a_block_that_outlives_its_deadline_and_never_after_one_that_ends() -> None:
    deadlines = Deadlines()
    fired: list[str] = []
    with deadlines.after(0.05, lambda: fired.append("slow")):
        time.sleep(0.3)
    with deadlines.after(0.2, lambda: fired.append("quick")):
        pass
    time.sleep(0.4)
    assert fired == ["slow"]


def test_leaving_the_block_waits_for_an_action_already_running() -> None:
    deadlines = Deadlines()
    started, finished = threading.Event(), threading.Event()

    def slow_action() -> None:
        started.set()
        time.sleep(0.3)
        finished.set()

    with deadlines.after(0.01, slow_action):
        assert started.wait(5)
    assert finished.is_set()  # the cancel on its way landed inside the block


def test_a_forked_child_has_none_of_the_parent_s_deadlines() -> None:
    """Found in review: the child's watcher ran the parent's actions (in sqlrun, a cancel of the
    parent's pooled session), or hung on a lock held at the fork."""
    deadlines = Deadlines()
    fired = threading.Event()
    read, write = os.pipe()
    with deadlines.after(0.3, fired.set):
        pid = os.fork()
        if pid == 0:  # the child: arm one of its own, see the parent's never fire here
            try:
                ran: list[int] = []
                with deadlines.after(0.05, lambda: ran.append(1)):
                    time.sleep(0.6)
                os.write(write, b"ok" if ran == [1] and not fired.is_set() else b"no")
            finally:
                os._exit(0)
        time.sleep(0.5)
    os.close(write)
    assert os.waitpid(pid, 0)[1] == 0
    assert os.read(read, 2) == b"ok"
    os.close(read)
    assert fired.is_set()  # the parent's own still ran, in the parent
