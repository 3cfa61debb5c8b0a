"""The Database section's logic: the catalog, pages of rows, one row, the writes (audited,
failures too) and the CSV export, each through ``database/query`` at the view's target."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from platformkit.api import errors
from platformkit.core.audit import audit
from platformkit.core.client import get_client
from platformkit.core.exports import spreadsheet_safe
from platformkit.core.pgerrors import PostgresError, parse_error
from platformkit.core.upstream import UpstreamProblem, describe
from platformkit.sections.database import statements
from platformkit.sections.database.catalog import (
    DETAIL_SQL,
    SUMMARY_SQL,
    Column,
    ForeignKey,
    SchemaSummary,
    Table,
    schemas_from_rows,
)
from platformkit.sections.database.statements import Filter, Order, Statement

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

EXPORT_PAGE_SIZE = 1000
CELL_PREVIEW_CHARS = 120


def _read(target_ref: str, statement: Statement | str, parameters: list[Any] | None = None) -> list[dict[str, Any]]:
    """A read: in a read-only transaction, never from the read cache (rows change)."""
    text = statement if isinstance(statement, str) else statement.sql
    bound = parameters if isinstance(statement, str) else statement.parameters
    return get_client(cached=False).database.query(target_ref, text, parameters=bound, read_only=True)


def schemas(target_ref: str) -> list[SchemaSummary]:
    """Every schema with its tables' estimates, sizes and RLS: one query, however many tables."""
    return schemas_from_rows(_read(target_ref, SUMMARY_SQL))


def table(target_ref: str, schema: str, name: str) -> Table | None:
    rows = _read(target_ref, DETAIL_SQL, [schema, name])
    return Table.from_json(rows[0]) if rows else None


def schema_tables(target_ref: str, schema: str) -> list[Table]:
    """Every table of ``schema`` with its columns and keys (the diagram): one query."""
    return [Table.from_json(row) for row in _read(target_ref, DETAIL_SQL, [schema, None])]


@dataclass
class Page:
    rows: list[dict[str, Any]]
    next_cursor: list[str | None] | None  # None: this is the last page
    previous_cursor: list[str | None] | None  # None: this is the first page


def page(
    target_ref: str,
    table: Table,
    order: Order,
    filters: list[Filter],
    cursor: list[str | None] | None = None,
    *,
    forward: bool = True,
    size: int = statements.PAGE_SIZE,
    typed: bool = False,
) -> Page:
    statement = statements.page_query(table, order, filters, cursor=cursor, forward=forward, size=size, typed=typed)
    rows = _read(target_ref, statement)
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    first, last = (
        (statements.cursor_of(table, order, rows[0]), statements.cursor_of(table, order, rows[-1]))
        if rows
        else (None, None)
    )
    if forward:
        return Page(rows, last if more else None, first if cursor is not None else None)
    return Page(rows, last, first if more else None)


def row(target_ref: str, table: Table, key: dict[str, str]) -> dict[str, Any] | None:
    rows = _read(target_ref, statements.row_query(table, key))
    return rows[0] if rows else None


@dataclass(frozen=True)
class Cell:
    text: str
    full: str | None  # the whole value when ``text`` is a preview
    null: bool
    column: str


def cells(table: Table, row: dict[str, Any]) -> list[Cell]:
    shown = []
    for column in table.columns:
        value = row.get(column.name)
        if value is None:
            shown.append(Cell("NULL", None, True, column.name))
            continue
        text = str(value)
        preview = text if len(text) <= CELL_PREVIEW_CHARS else text[:CELL_PREVIEW_CHARS] + "…"
        shown.append(Cell(preview, text if preview != text else None, False, column.name))
    return shown


def key_of(table: Table, row: dict[str, Any]) -> list[str | None]:
    return [row.get(name) for name in table.primary_key]


# Writes


@dataclass
class WriteOutcome:
    key: dict[str, str] | None = None  # the row's key after the write (None: no row matched)
    pg_error: PostgresError | None = None
    problem: UpstreamProblem | None = None
    done: bool = False
    detail: dict[str, Any] = field(default_factory=dict)


def _write(
    actor: AbstractBaseUser | AnonymousUser,
    action: str,
    *,
    project_ref: str,
    target_ref: str,
    table: Table,
    statement: Statement,
    key: dict[str, str] | None,
) -> WriteOutcome:
    """Run one write and record it (``database.<verb>``) however it ended. The detail names the
    table and the row's key, never the values written (they may be personal data)."""
    detail: dict[str, Any] = {"target": target_ref, "table": f"{table.schema}.{table.name}"}
    if key is not None:
        detail["key"] = key
    try:
        rows = get_client(cached=False).database.query(target_ref, statement.sql, parameters=statement.parameters)
    except errors.APIError as exc:
        audit(actor, action, project_ref=project_ref, success=False, detail=detail)
        if isinstance(exc, errors.ValidationError):
            return WriteOutcome(pg_error=parse_error(exc.message, statement.sql), detail=detail)
        return WriteOutcome(problem=describe(exc), detail=detail)
    if not rows:
        audit(actor, action, project_ref=project_ref, success=False, detail={**detail, "rows": 0})
        return WriteOutcome(detail=detail)
    written = {name: str(value) for name, value in rows[0].items()}
    audit(actor, action, project_ref=project_ref, detail={**detail, "key": written})
    return WriteOutcome(key=written, done=True, detail=detail)


def insert(
    actor: Any, *, project_ref: str, target_ref: str, table: Table, values: dict[str, str | None]
) -> WriteOutcome:
    return _write(
        actor,
        "database.insert",
        project_ref=project_ref,
        target_ref=target_ref,
        table=table,
        statement=statements.insert_statement(table, values),
        key=None,
    )


def update(
    actor: Any, *, project_ref: str, target_ref: str, table: Table, key: dict[str, str], values: dict[str, str | None]
) -> WriteOutcome:
    if not values:  # nothing editable (every column generated): nothing to send
        return WriteOutcome(key=key, done=True)
    return _write(
        actor,
        "database.update",
        project_ref=project_ref,
        target_ref=target_ref,
        table=table,
        statement=statements.update_statement(table, key, values),
        key=key,
    )


def delete(actor: Any, *, project_ref: str, target_ref: str, table: Table, key: dict[str, str]) -> WriteOutcome:
    return _write(
        actor,
        "database.delete",
        project_ref=project_ref,
        target_ref=target_ref,
        table=table,
        statement=statements.delete_statement(table, key),
        key=key,
    )


# Export


def _pages(target_ref: str, table: Table, order: Order, filters: list[Filter], *, typed: bool) -> Iterator[Page]:
    """Every page of the table's rows (filtered and sorted as shown), read by keyset one after
    another: an export holds one page in memory whatever the table's size."""
    cursor: list[str | None] | None = None
    while True:
        found = page(target_ref, table, order, filters, cursor, size=EXPORT_PAGE_SIZE, typed=typed)
        yield found
        if found.next_cursor is None:
            return
        cursor = found.next_cursor


def export_csv(target_ref: str, table: Table, order: Order, filters: list[Filter]) -> Iterator[str]:
    """The rows as CSV (PostgreSQL's text of each value, formulas kept text), sent page by page."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.name for column in table.columns])
    yield out.getvalue()
    for found in _pages(target_ref, table, order, filters, typed=False):
        out.seek(0)
        out.truncate()
        for item in found.rows:
            writer.writerow(
                ["" if item.get(c.name) is None else spreadsheet_safe(str(item[c.name])) for c in table.columns]
            )
        yield out.getvalue()


def export_json(target_ref: str, table: Table, order: Order, filters: list[Filter]) -> Iterator[str]:
    """The rows as a JSON array of objects, each as PostgreSQL's ``row_to_json`` writes it (its
    types kept, a numeric's digits exact), sent page by page."""
    yield "["
    first = True
    for found in _pages(target_ref, table, order, filters, typed=True):
        chunk = ",\n".join(str(item[statements.TYPED_ROW]) for item in found.rows)
        if chunk:
            yield ("\n" if first else ",\n") + chunk
            first = False
    yield "\n]\n" if not first else "]\n"


# The foreign-key picker

PICKER_SIZE = 20


@dataclass(frozen=True)
class Choice:
    key: str
    label: str | None


def label_column(table: Table) -> Column | None:
    """The column shown beside a referenced row's key: its first text column outside the key."""
    return next((c for c in table.columns if c.kind == "text" and c.name not in table.primary_key), None)


def references(target_ref: str, fk: ForeignKey, text: str) -> list[Choice] | None:
    """Rows of the table ``fk`` references matching ``text`` by key or label (None: that table
    is gone from the catalog)."""
    referenced = table(target_ref, fk.ref_schema, fk.ref_table)
    column = referenced.column(fk.ref_columns[0]) if referenced is not None else None
    if referenced is None or column is None:
        return None
    statement = statements.reference_search(referenced, column, label_column(referenced), text, PICKER_SIZE)
    return [Choice(str(row["key"]), row["label"]) for row in _read(target_ref, statement)]
