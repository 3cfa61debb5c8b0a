"""A feature's own tables in the local API's control database, and the pooled sessions every
feature reaches that database through (a login per call cost a few ms each, several per request,
and 100 concurrent clients ran the control cluster out of connections)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

_pools: dict[str, ConnectionPool[psycopg.Connection[dict[str, Any]]]] = {}
_pools_guard = threading.Lock()
POOL_SIZE = 20


@contextmanager
def connect(url: str) -> Iterator[psycopg.Connection[dict[str, Any]]]:
    """A pooled session on the control database ``url`` (rows as dicts): committed when the
    block ends, rolled back when it raises, as ``with psycopg.connect(...)`` does. A session
    is checked before it is handed out (a control database dropped and made again, as tests
    do, leaves dead sessions behind)."""
    with _pools_guard:
        pool = _pools.get(url)
        if pool is None:
            pool = _pools[url] = ConnectionPool(
                url,
                min_size=0,  # no refills racing a cluster that is shutting down
                max_size=POOL_SIZE,
                kwargs={"row_factory": dict_row},
                check=ConnectionPool.check_connection,
                max_idle=60,
                name="control",
                open=True,
            )
    with pool.connection() as conn:
        yield conn


def close_pool(url: str) -> None:
    with _pools_guard:
        pool = _pools.pop(url, None)
    if pool is not None:
        pool.close(timeout=1)


Row = TypeVar("Row")


def one_row(cursor: psycopg.Cursor[Row]) -> Row:
    """The row of a statement that always answers one (``insert ... returning``, an aggregate,
    a select of what the same transaction just wrote)."""
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError("the statement answered no row")
    return row


class ControlTables:
    """Creates ``SCHEMA_SQL`` (idempotent) once per server start, under an advisory lock so two
    servers starting together do not race on ``create table if not exists``."""

    SCHEMA_SQL: ClassVar[str]

    def __init__(self, control_url: str) -> None:
        self._url = control_url
        with self._connect() as conn:
            conn.execute(
                "select pg_advisory_xact_lock(hashtext(%s))", (f"{type(self).__module__}.{type(self).__name__}",)
            )
            conn.execute(self.SCHEMA_SQL)

    def _connect(self) -> Any:  # a context manager of a pooled session (see :func:`connect`)
        return connect(self._url)
