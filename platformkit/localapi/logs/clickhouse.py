"""The ``logs`` dialect: ClickHouse SQL over one unified ``logs`` table, as the hosted endpoint
runs it since Supabase moved logs to ClickHouse. Its columns: ``id``, ``timestamp``,
``event_message``, ``source`` (also readable as ``source_name``, the changelog's name),
``severity_text`` and ``log_attributes`` (``Map(String, String)``: each nested field of the
source by its dotted path, ``log_attributes['request.method']``). sqlglot reads the SQL as
ClickHouse and writes it for DuckDB; ClickHouse functions DuckDB lacks are macros in each file
(``store.MACROS``)."""

from __future__ import annotations

from datetime import datetime

from sqlglot import exp

from .dialect import cap_rows, read_query, timestamp_literal, windowed
from .store import TABLE

TABLES = ("logs",)
COLUMNS = ("id", "timestamp", "event_message", "source", "source_name", "severity_text", "log_attributes")
DEFAULT_SQL = (
    "select id, timestamp, event_message, log_attributes from logs"
    " where source = 'edge_logs' order by timestamp desc limit 100"
)


def compile_query(sql: str, start: datetime, end: datetime) -> str:
    """DuckDB SQL for a ClickHouse log query over the window [start, end)."""
    tree, _ = read_query(sql, "clickhouse", TABLES)
    _name_like_clickhouse(tree)
    cap_rows(tree)
    low, high = timestamp_literal(start), timestamp_literal(end)
    windowed(
        tree,
        TABLES,
        lambda _: (
            "select id, timestamp, event_message, source, source as source_name, severity_text, log_attributes"
            f" from {TABLE} where timestamp >= {low} and timestamp < {high}"
        ),
    )
    return tree.sql(dialect="duckdb")


def _name_like_clickhouse(tree: exp.Query) -> None:
    """An unnamed computed column is called by its text, as ClickHouse names it (``count()``)."""
    for select in [tree] if isinstance(tree, exp.Select) else list(tree.find_all(exp.Select))[:1]:
        for expression in list(select.expressions):
            if isinstance(expression, (exp.Column, exp.Alias, exp.Star)):
                continue
            expression.replace(exp.alias_(expression.copy(), expression.sql(dialect="clickhouse"), quoted=True))
