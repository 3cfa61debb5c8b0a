"""The local API's own connections to the instances: a small ``psycopg_pool`` per instance,
logged in once as ``platformkit_sql`` with the session settings in the startup packet (so a
call costs no login and no SET). A connection goes back with ``DISCARD ALL``, which undoes
whatever the tenant's SQL did to the session (``SET ROLE``, settings, temp tables, prepared
statements). When an instance has no connection to give (its ``max_connections`` are taken,
or every pooled one is busy for ``wait_seconds``) the caller gets 503 with Retry-After.

A pool belongs to one server: its key is the ref, the port and the data dir's inode, so an
instance replaced under a request (a branch reset, a restore's swap; the new server may get
the old port) never receives the old server's pool or connections.
"""

from __future__ import annotations

import threading
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from platformkit.localapi.errors import Problem

from .instance import Instance

RETRY_AFTER_SECONDS = 1


def busy(ref: str, why: str) -> Problem:
    return Problem(
        503,
        f"The database of {ref} has no free connection ({why}); retry shortly",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def restarting(ref: str) -> Problem:
    return Problem(
        503,
        f"The database of {ref} was stopped, restarted or replaced during the call; retry shortly"
        " (a change cut short while committing may or may not have been made: check before repeating it)",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def server_went(exc: BaseException) -> bool:
    """Whether a session's error says its server went (shut down, crashed, starting or stopping,
    the connection lost) rather than anything the SQL did: the tenant's own FATALs, such as a
    ``transaction_timeout`` it set, are not this."""
    if isinstance(exc, (psycopg.errors.AdminShutdown, psycopg.errors.CrashShutdown, psycopg.errors.CannotConnectNow)):
        return True
    return isinstance(exc, psycopg.OperationalError) and exc.sqlstate is None


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
        try:
            server = instance.pgdata.stat().st_ino
        except FileNotFoundError:
            raise restarting(instance.ref) from None
        key = f"{instance.ref}:{instance.port}:{server}"
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
            # A pooled session can outlive its server (stopped or killed behind the pool's back):
            # checked on the way out (an empty query), it is replaced instead of failing the call.
            check=ConnectionPool.check_connection,
            name=key,
            num_workers=1,
            kwargs={"autocommit": True, "prepare_threshold": None},
            open=True,
        )

    def take(
        self, instance: Instance
    ) -> tuple[ConnectionPool[psycopg.Connection[Any]], psycopg.Connection[Any]] | None:
        """A pooled connection (autocommit; the caller opens its transaction) and the pool to give
        it back to; ``None`` when the pool was closed during the wait (the instance stopped or was
        replaced meanwhile: the caller looks the instance up again)."""
        pool = self._pool(instance)
        try:
            return pool, pool.getconn()
        except PoolTimeout:
            # Every pooled connection busy, or the server refusing new ones (too many clients).
            raise busy(instance.ref, f"none came free within {self._wait:g} s") from None
        except PoolClosed:
            return None

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
