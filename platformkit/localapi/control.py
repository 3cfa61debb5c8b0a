"""A feature's own tables in the local API's control database."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

import psycopg
from psycopg.rows import dict_row

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

    def _connect(self) -> psycopg.Connection[dict[str, Any]]:
        return psycopg.connect(self._url, row_factory=dict_row)
