"""The ``logs.all`` dialect (deprecated upstream, kept as an alias over the same store):
BigQuery-style SQL (as Logflare runs it for Supabase) checked and rewritten for DuckDB, where
each source is the unified table's events of that source with nested ``metadata``.

- One SELECT (or UNION / WITH of SELECTs) over the known sources; anything else is refused.
- As in BigQuery, the fields of an ``unnest``ed struct can be named without the alias
  (``cross join unnest(metadata) as metadata cross join unnest(response) as response where
  status_code >= 400``). One step further than BigQuery, a name that is unique one nesting level
  below an unnested struct resolves too (the seed's example selects ``path``, a field of
  ``request``); an ambiguous name is an error naming the candidates.
- At most 1000 rows: a missing or larger LIMIT becomes 1000.
- sqlglot transpiles the rest (functions such as ``regexp_contains``, ``datetime``,
  ``timestamp_trunc``) from BigQuery to DuckDB.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlglot
from sqlglot import exp

from .dialect import LogQueryError, cap_rows, read_query, timestamp_literal, windowed
from .sources import SOURCES, TOP_LEVEL, Tree, json_structure
from .store import TABLE

DEFAULT_SQL = "select id, timestamp, event_message, metadata from edge_logs order by timestamp desc limit 100"


@dataclass
class Scope:
    source: str
    table_aliases: set[str]
    structs: dict[str, Tree] = field(default_factory=dict)  # unnest alias -> the struct it yields


def compile_query(sql: str, start: datetime, end: datetime) -> str:
    """DuckDB SQL for a BigQuery-style log query over the window [start, end)."""
    tree, _ = read_query(sql, "bigquery", SOURCES)
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for select in tree.find_all(exp.Select):
        _resolve(select, ctes)
    transformed = tree.transform(_datetimes_as_text)
    assert isinstance(transformed, exp.Query)  # only datetimes and casts are replaced, never the query
    _name_like_bigquery(transformed)
    cap_rows(transformed)
    low, high = timestamp_literal(start), timestamp_literal(end)
    windowed(transformed, SOURCES, lambda source: _source_events(source, low, high))
    return transformed.sql(dialect="duckdb")


def _source_events(source: str, low: str, high: str) -> str:
    """One source's events in the window, with its top-level columns and nested ``metadata``."""
    tree = SOURCES[source]
    columns = ["id", "timestamp", "event_message"]
    columns += [f"log_attributes['{name}'] as {name}" for name, value in tree.items() if not isinstance(value, dict)]
    if "metadata" in tree:
        structure = json.dumps(json_structure(tree["metadata"])).replace("'", "''")
        columns.append(f"from_json(metadata, '{structure}') as metadata")
    return (
        f"select {', '.join(columns)} from {TABLE}"
        f" where source = '{source}' and timestamp >= {low} and timestamp < {high}"
    )


ISO_DATETIME = "%Y-%m-%dT%H:%M:%S.%f"


def _datetimes_as_text(node: exp.Expr) -> exp.Expr:
    """BigQuery's DATETIME comes back as ISO text and its TIMESTAMP as microseconds; in DuckDB
    both are TIMESTAMP, so DATETIME values are made text here (``datetime(timestamp)``,
    ``cast(... as datetime)``) and every remaining TIMESTAMP is answered in microseconds."""
    if isinstance(node, exp.TsOrDsToDatetime):
        return exp.func("strftime", node.this, exp.Literal.string(ISO_DATETIME))
    if isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.TIMESTAMP:
        return exp.func("strftime", node.this, exp.Literal.string(ISO_DATETIME))
    if isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.TIMESTAMPTZ:
        node.set("to", exp.DataType.build("TIMESTAMP"))
    return node


def _name_like_bigquery(tree: exp.Query) -> None:
    """Unnamed computed columns are called f0_, f1_, ... as BigQuery names them."""
    select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    if select is None:
        return
    unnamed = 0
    for index, expression in enumerate(list(select.expressions)):
        if isinstance(expression, (exp.Column, exp.Alias, exp.Star, exp.Dot)):
            continue
        select.expressions[index].replace(exp.alias_(expression.copy(), f"f{unnamed}_"))
        unnamed += 1


def _resolve(select: exp.Select, ctes: set[str]) -> None:
    """Qualify the names that refer to fields of unnested structs in this SELECT."""
    from_ = select.args.get("from_") or select.args.get("from")  # the key's name differs across sqlglot versions
    if (
        from_ is None
        or not isinstance(from_.this, exp.Table)
        or from_.this.name in ctes
        or from_.this.name not in SOURCES
    ):
        return
    base = from_.this
    scope = Scope(base.name, {base.name, base.alias_or_name})
    for join in select.args.get("joins") or []:
        unnest = join.this if isinstance(join.this, exp.Unnest) else None
        if unnest is None:
            continue
        target = unnest.expressions[0] if unnest.expressions else None
        alias = unnest.alias_column_names[0] if unnest.alias_column_names else unnest.alias
        if not alias or not isinstance(target, exp.Column):
            continue
        tree = _struct_of(scope, target)
        if tree is not None:
            scope.structs[alias] = tree
    _rename_shadowing_aliases(select, scope)
    outputs = {e.alias for e in select.expressions if isinstance(e, exp.Alias)}
    for column in list(select.find_all(exp.Column)):
        if column.find_ancestor(exp.Select) is not select or column.table:
            continue
        name = column.name
        if name in TOP_LEVEL or name in SOURCES[scope.source] or name in scope.structs or name in outputs:
            continue
        replacement = _field_path(scope, name)
        if replacement is not None:
            if column.parent is select and not isinstance(replacement, exp.Column):
                replacement = exp.alias_(replacement, name)  # the result keeps the name that was asked for
            column.replace(replacement)


def _rename_shadowing_aliases(select: exp.Select, scope: Scope) -> None:
    """``unnest(metadata) as metadata``: after it, ``metadata`` means the struct (as in
    BigQuery), but DuckDB would call the name ambiguous; the alias gets a name of its own."""
    for join in select.args.get("joins") or []:
        unnest = join.this if isinstance(join.this, exp.Unnest) else None
        if unnest is None or not unnest.alias_column_names:
            continue
        alias = unnest.alias_column_names[0]
        if alias not in SOURCES[scope.source] and alias not in TOP_LEVEL:
            continue
        renamed = f"{alias}_unnested"
        unnest.args["alias"].set("columns", [exp.to_identifier(renamed)])
        scope.structs[renamed] = scope.structs.pop(alias)
        defining = {id(node) for node in unnest.find_all(exp.Column)}
        for column in list(select.find_all(exp.Column)):
            if id(column) in defining or column.find_ancestor(exp.Select) is not select:
                continue
            if column.table == alias:
                column.set("table", exp.to_identifier(renamed))
            elif not column.table and column.name == alias and _after(column, unnest, select):
                column.set("this", exp.to_identifier(renamed))


def _after(column: exp.Column, unnest: exp.Unnest, select: exp.Select) -> bool:
    """Whether ``column`` is read where the unnest alias is in scope (anywhere but the FROM
    clause before it: the select list, WHERE, GROUP BY, later joins)."""
    joins = select.args.get("joins") or []
    position = next((i for i, join in enumerate(joins) if join.this is unnest), -1)
    holder = column.find_ancestor(exp.Join)
    if holder is None:
        return column.find_ancestor(exp.From) is None
    return joins.index(holder) > position if holder in joins else True


def _struct_of(scope: Scope, column: exp.Column) -> Tree | None:
    parts = [part.name for part in column.parts]
    if len(parts) == 1:
        name = parts[0]
        if isinstance(SOURCES[scope.source].get(name), dict):
            return SOURCES[scope.source][name]
        holders = [alias for alias, tree in scope.structs.items() if isinstance(tree.get(name), dict)]
        if len(holders) == 1:
            column.replace(exp.column(name, table=holders[0]))
            return scope.structs[holders[0]][name]
        return None
    head, *rest = parts
    node: Any = SOURCES[scope.source] if head in scope.table_aliases else scope.structs.get(head)
    for part in rest:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _field_path(scope: Scope, name: str) -> exp.Expr | None:
    direct = [alias for alias, tree in scope.structs.items() if name in tree and not isinstance(tree[name], dict)]
    if len(direct) > 1:
        raise LogQueryError(f"Column name {name} is ambiguous: it is a field of {', '.join(direct)}")
    if direct:
        return exp.column(name, table=direct[0])
    deeper = [
        (alias, child)
        for alias, tree in scope.structs.items()
        for child, sub in tree.items()
        if isinstance(sub, dict) and name in sub and not isinstance(sub[name], dict)
    ]
    if len(deeper) > 1:
        raise LogQueryError(f"Column name {name} is ambiguous: " + ", ".join(f"{a}.{c}.{name}" for a, c in deeper))
    if deeper:
        alias, child = deeper[0]
        return sqlglot.parse_one(f"{alias}.{child}[1].{name}", read="duckdb")
    raise LogQueryError(f"Unrecognized name: {name}")
