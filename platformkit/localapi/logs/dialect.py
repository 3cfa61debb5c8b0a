"""What both log dialects share: one read-only query, read by sqlglot, that reaches only the
log tables it is allowed (and its own CTEs); at most 1000 rows; each allowed table replaced by
the project's events in the call's window, so the time filter reaches the engine's scan."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

import sqlglot
from sqlglot import exp

MAX_ROWS = 1000


class LogQueryError(Exception):
    """Bad SQL or a bad window: answered in the API's ``error`` form, never raised to the caller."""


def read_query(sql: str, dialect: str, tables: Collection[str]) -> tuple[exp.Query, set[str]]:
    """The one SELECT in ``sql`` and the allowed tables it reads; anything else is refused."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except sqlglot.errors.ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f" at [{first.get('line')}:{first.get('col')}]" if first.get("line") else ""
        raise LogQueryError(f"Syntax error: {first.get('description') or str(exc).splitlines()[0]}{where}") from None
    except sqlglot.errors.SqlglotError as exc:
        raise LogQueryError(f"Syntax error: {exc}") from None
    if len(statements) != 1:
        raise LogQueryError("Send exactly one SELECT statement")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise LogQueryError("Only SELECT queries are allowed (or the statement could not be read as one)")
    for node in tree.walk():
        if isinstance(node, (exp.DML, exp.DDL, exp.Command, exp.Copy, exp.Attach, exp.Pragma, exp.Set)):
            raise LogQueryError("Only SELECT queries are allowed")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for name in ctes & set(tables):
        raise LogQueryError(f"A WITH query may not be named {name}: that is the name of a log table")
    allowed = ", ".join(tables)
    read: set[str] = set()
    for table in tree.find_all(exp.Table):
        shown = table.sql(dialect=dialect)
        if not isinstance(table.this, exp.Identifier):
            raise LogQueryError(f"Table functions are not allowed: {shown}; query {allowed}")
        if table.args.get("db") or table.args.get("catalog"):
            raise LogQueryError(f"Unknown table {shown}; query {allowed}")
        if table.name in ctes:
            continue
        if table.name not in tables:
            raise LogQueryError(f"Unknown table {table.name}; query {allowed}")
        read.add(table.name)
    return tree, read


def cap_rows(tree: exp.Query) -> None:
    limit = tree.args.get("limit")
    value = limit.expression if isinstance(limit, exp.Limit) else None
    if isinstance(value, exp.Literal) and value.is_int and int(value.this) <= MAX_ROWS:
        return
    tree.limit(MAX_ROWS, copy=False)


def timestamp_literal(moment: datetime) -> str:
    """A DuckDB TIMESTAMP literal (naive UTC) for a bound the API computed itself."""
    from .store import naive_utc

    return f"TIMESTAMP '{naive_utc(moment).isoformat(sep=' ')}'"


def windowed(tree: exp.Query, tables: Collection[str], events: Callable[[str], str]) -> None:
    """Each read of an allowed table becomes ``(<events(name)>) AS <its alias>``: the table's
    rows in the window (``events`` gives the DuckDB SELECT for a table)."""
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in list(tree.find_all(exp.Table)):
        if table.name not in tables or table.name in ctes:
            continue
        inner = sqlglot.parse_one(events(table.name), read="duckdb")
        assert isinstance(inner, exp.Query)
        table.replace(inner.subquery(table.alias_or_name))
