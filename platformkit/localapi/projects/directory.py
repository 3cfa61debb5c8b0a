"""The projects of the local Management API as its features need them: a project's record (or
the 404 the real API answers), a lock per project, the work running in the background, and
the cluster's address and PostgreSQL version.

Features (branching, ...) get this narrow collaborator instead of the whole :class:`LocalAPI`,
so they never depend on the backend that builds them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import psycopg

from platformkit.localapi import validation
from platformkit.localapi.errors import Problem
from platformkit.localapi.store import ProjectRow, Store


class ProjectDirectory:
    def __init__(self, store: Store, *, version: str, host: str) -> None:
        self._store = store
        self.version = version  # the cluster's PostgreSQL version, as projects report it
        self.host = host  # the host a project's database is reached at
        # A project's background work (a layout, a branch workflow) holds its lock, which
        # keeps a delete from dropping the database under it.
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._workers: list[threading.Thread] = []

    def require(self, ref: str) -> ProjectRow:
        """The project's record; ``Problem(404)`` for a ref no project (or branch) has."""
        validation.check_ref(ref)
        row = self._store.project(ref)
        if row is None:
            raise Problem(404, f"Project {ref} not found")
        return row

    def lock(self, ref: str) -> threading.Lock:
        """The project's lock (the same object for every caller)."""
        with self._guard:
            return self._locks.setdefault(ref, threading.Lock())

    def spawn(self, target: Callable[..., None], *args: Any, name: str) -> threading.Thread:
        """Run ``target(*args)`` in a daemon thread that :meth:`join` waits for."""
        worker = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._guard:
            self._workers = [thread for thread in self._workers if thread.is_alive()] + [worker]
        worker.start()
        return worker

    def join(self, timeout: float) -> None:
        """Wait (up to ``timeout`` seconds each) for the threads :meth:`spawn` started."""
        with self._guard:
            workers = list(self._workers)
        for worker in workers:
            worker.join(timeout)


def server_version(control_url: str) -> str:
    """The PostgreSQL version projects report: the instances run the control instance's binaries."""
    with psycopg.connect(control_url) as conn:
        row = conn.execute("show server_version").fetchone()
    return str(row[0]).split()[0] if row else ""
