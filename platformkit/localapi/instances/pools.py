"""The local API's own connections to the instances: a small ``psycopg_pool`` per instance,
logged in once as ``platformkit_sql`` with the session settings in the startup packet (so a
call costs no login and no SET). A connection goes back with ``DISCARD ALL``, which undoes
whatever the tenant's SQL did to the session (``SET ROLE``, settings, temp tables, prepared
statements). When an instance has no connection to give (its ``max_connections`` are taken,
or every pooled one is busy for ``wait_seconds``) the caller gets 503 with Retry-After.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from platformkit.localapi.errors import Problem

from .instance import Instance

RETRY_AFTER_SECONDS = 1


def busy(ref: str, why: str) -> Problem:
    return Problem(
        503,
        f"The database of {ref} has no free connection ({why}); retry shortly",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _discard(conn: psycopg.Connection[Any]) -> None:
    conn.execute("discard all")  # psycopg forgets its prepared statements on seeing this


class Pools:
    def __init__(self, *, timeout_seconds: float, max_size: int = 10, wait_seconds: float = 5.0) -> None:
        self._timeout_ms = int(timeout_seconds * 1000)
        self._max_size = max_size
        self._wait = wait_seconds
        self._pools: dict[str, ConnectionPool[psycopg.Connection[Any]]] = {}
        self._guard = threading.Lock()

    def _pool(self, instance: Instance) -> ConnectionPool[psycopg.Connection[Any]]:
        key = f"{instance.ref}:{instance.port}"
        with self._guard:
            pool = self._pools.get(instance.ref)
            if pool is not None and pool.name == key:
                return pool
            stale, self._pools[instance.ref] = pool, self._new_pool(instance, key)
            pool = self._pools[instance.ref]
        if stale is not None:
            stale.close(timeout=0)
        return pool

    def _new_pool(self, instance: Instance, key: str) -> ConnectionPool[psycopg.Connection[Any]]:
        # The statement timeout and standard_conforming_strings (the text is parsed as pglast
        # parses it) come with the login: RESET/DISCARD return to them, a tenant's SET does not stick.
        options = f"-c statement_timeout={self._timeout_ms} -c standard_conforming_strings=on"
        return ConnectionPool(
            instance.sql_conninfo(options=options, connect_timeout=5),
            min_size=1,
            max_size=self._max_size,
            timeout=self._wait,
            reset=_discard,
            name=key,
            num_workers=1,
            kwargs={"autocommit": True, "prepare_threshold": None},
            open=True,
        )

    @contextmanager
    def connection(self, instance: Instance) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection (autocommit; the caller opens its transaction)."""
        pool = self._pool(instance)
        try:
            conn = pool.getconn()
        except PoolTimeout:
            # Every pooled connection busy, or the server refusing new ones (too many clients).
            raise busy(instance.ref, f"none came free within {self._wait:g} s") from None
        try:
            yield conn
        finally:
            pool.putconn(conn)  # rolled back if left in a transaction, then DISCARD ALL

    def in_use(self, ref: str) -> int:
        with self._guard:
            pool = self._pools.get(ref)
        if pool is None:
            return 0
        stats = pool.get_stats()
        return int(stats.get("pool_size", 0)) - int(stats.get("pool_available", 0))

    def close(self, ref: str) -> None:
        """Before the instance stops (or goes): its pooled connections are closed."""
        with self._guard:
            pool = self._pools.pop(ref, None)
        if pool is not None:
            pool.close(timeout=1)

    def close_all(self) -> None:
        with self._guard:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close(timeout=1)
