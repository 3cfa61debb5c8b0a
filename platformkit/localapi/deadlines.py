"""Run an action once a deadline passes unless the work it guards has finished first: one
watching thread for the whole process, instead of a ``threading.Timer`` (a thread started, then
joined) per call. Under load every call's timer cost two thread switches on the interpreter
lock, for a deadline that almost never fires.

``with deadlines.after(seconds, action): ...`` runs ``action`` (in a thread of its own, so a slow
one holds up no other deadline) if the block is still running ``seconds`` from now. When the
block ends the action either will never run or has finished: a cancel on its way lands inside the
block, never on what comes after it.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from time import monotonic

_ARMED, _DISARMED, _RUNNING, _DONE = range(4)


def _nothing() -> None:
    pass


class _Deadline:
    __slots__ = ("action", "state")

    def __init__(self, action: Callable[[], None]) -> None:
        self.action = action
        self.state = _ARMED


class Deadlines:
    def __init__(self) -> None:
        self._reset()
        # A forked child starts with none of the parent's deadlines (their actions act on the
        # parent's sessions) and a lock of its own (the parent's may have been held at the fork).
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._changed = threading.Condition()
        self._due: list[tuple[float, int, _Deadline]] = []  # a heap: the earliest first
        self._order = itertools.count()  # ties keep their order (deadlines do not compare)
        self._watcher: threading.Thread | None = None

    @contextmanager
    def after(self, seconds: float, action: Callable[[], None]) -> Iterator[None]:
        deadline = self._arm(monotonic() + seconds, action)
        try:
            yield
        finally:
            self._disarm(deadline)

    def _arm(self, due: float, action: Callable[[], None]) -> _Deadline:
        deadline = _Deadline(action)
        with self._changed:
            heapq.heappush(self._due, (due, next(self._order), deadline))
            if self._watcher is None or not self._watcher.is_alive():  # first use
                self._watcher = threading.Thread(target=self._watch, name="platformkit-deadlines", daemon=True)
                self._watcher.start()
            elif self._due[0][2] is deadline:  # earlier than the one the watcher sleeps towards
                self._changed.notify_all()
        return deadline

    def _disarm(self, deadline: _Deadline) -> None:
        with self._changed:
            if deadline.state == _ARMED:
                # Left in the heap: the watcher drops it when it comes first (waking the watcher
                # now would cost the very thread switch this module saves); what it would have
                # done (and the session it holds) is let go now.
                deadline.state = _DISARMED
                deadline.action = _nothing
                return
            while deadline.state == _RUNNING:
                self._changed.wait()

    def _watch(self) -> None:
        with self._changed:
            while True:
                while self._due and self._due[0][2].state == _DISARMED:
                    heapq.heappop(self._due)
                if not self._due:
                    self._changed.wait()
                    continue
                wait = self._due[0][0] - monotonic()
                if wait > 0:
                    self._changed.wait(wait)
                    continue
                deadline = heapq.heappop(self._due)[2]
                deadline.state = _RUNNING
                try:
                    threading.Thread(
                        target=self._run, args=(deadline,), name="platformkit-deadline", daemon=True
                    ).start()
                except RuntimeError:  # no thread to be had: run here rather than leave it RUNNING
                    self._changed.release()
                    try:
                        self._run(deadline)
                    finally:
                        self._changed.acquire()

    def _run(self, deadline: _Deadline) -> None:
        try:
            deadline.action()
        finally:
            with self._changed:
                deadline.state = _DONE
                self._changed.notify_all()


deadlines = Deadlines()
