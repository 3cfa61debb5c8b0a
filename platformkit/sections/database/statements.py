"""The SQL this section sends, built from catalog names (quoted) and placeholders only: every
value — a filter's, a cursor's, a row's — travels as a bound parameter (``$1``...) with a cast
to its column's type. Nothing here talks to the API (see ``services``).

Rows are read by keyset: ordered by the chosen column then the primary key (or ``ctid`` when
there is none), a page starts after (or before) the last row seen, so page 10,000 costs what
page 1 costs, where OFFSET would read every row before it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from platformkit.sections.database.catalog import Column, Table, quote

PAGE_SIZE = 100
CTID = "ctid"  # the row's physical address: the order of a table without a primary key
# The table's alias in a page query: ORDER BY must name the table's columns through it, since a
# bare name there means the output column (the ``::text`` copy, which would sort 10 before 9).
ROW = "platformkit_row"

# The fixed list of filter operators: name -> (label, SQL template or None for the null tests).
OPERATORS: dict[str, tuple[str, str]] = {
    "eq": ("=", "{col} = {val}"),
    "neq": ("≠", "{col} is distinct from {val}"),
    "gt": (">", "{col} > {val}"),
    "gte": ("≥", "{col} >= {val}"),
    "lt": ("<", "{col} < {val}"),
    "lte": ("≤", "{col} <= {val}"),
    "like": ("like", "{col}::text like {val}"),
    "ilike": ("ilike", "{col}::text ilike {val}"),
    "is_null": ("is null", "{col} is null"),
    "not_null": ("is not null", "{col} is not null"),
}
VALUELESS = frozenset({"is_null", "not_null"})
TEXT_OPERATORS = frozenset({"like", "ilike"})


@dataclass(frozen=True)
class Filter:
    column: str
    operator: str
    value: str = ""


@dataclass(frozen=True)
class Order:
    column: str | None = None  # None: the key's order only
    descending: bool = False


@dataclass
class Statement:
    sql: str
    parameters: list[Any] = field(default_factory=list)

    def bind(self, value: Any, cast: str | None = None) -> str:
        """A placeholder for ``value`` (cast to ``cast``, a catalog type name)."""
        self.parameters.append(value)
        placeholder = f"${len(self.parameters)}"
        return f"{placeholder}::{cast}" if cast else placeholder


def compared_as_text(column: Column) -> bool:
    """json has no equality, and arrays of any type compare most usefully as their text."""
    return column.kind in ("json", "array") and column.cast != "jsonb"


def order_keys(table: Table, order: Order) -> list[tuple[str, str, bool, bool]]:
    """(expression, cast, descending, nullable) in order: the sort column, then the key."""
    keys: list[tuple[str, str, bool, bool]] = []
    sort = table.column(order.column) if order.column else None
    if sort is not None and sort.name not in table.primary_key[:1]:
        keys.append((f"{ROW}.{sort.quoted}", sort.cast, order.descending, sort.nullable))
    if table.primary_key:
        first_descending = sort is not None and sort.name == table.primary_key[0] and order.descending
        for column in table.key_columns():
            keys.append((f"{ROW}.{column.quoted}", column.cast, first_descending, False))
    else:
        keys.append((f"{ROW}.{CTID}", "tid", False, False))
    return keys


def _after(expr: str, placeholder: str, descending: bool, nullable: bool, null_cursor: bool, forward: bool) -> str:
    """The rows strictly after (``forward``) or before a cursor value, nulls sorting last."""
    if null_cursor:
        return "false" if forward else f"{expr} is not null"
    op = ">" if descending != forward else "<"
    condition = f"{expr} {op} {placeholder}"
    return f"({condition} or {expr} is null)" if nullable and forward else condition


def keyset_condition(
    statement: Statement, keys: list[tuple[str, str, bool, bool]], cursor: list[str | None], *, forward: bool
) -> str:
    """Rows after ``cursor`` (the last row's key values, as text) in the order of ``keys``."""
    if all(not nullable for *_, nullable in keys) and len({descending for _, _, descending, _ in keys}) == 1:
        # One direction and no nulls: a row comparison, which an index on the key answers.
        descending = keys[0][2]
        op = ">" if descending != forward else "<"
        left = ", ".join(expr for expr, *_ in keys)
        right = ", ".join(statement.bind(value, cast) for (_, cast, _, _), value in zip(keys, cursor, strict=True))
        return f"({left}) {op} ({right})" if len(keys) > 1 else f"{left} {op} {right}"
    alternatives = []
    for index, (expr, cast, descending, nullable) in enumerate(keys):
        parts = []
        for (prior, prior_cast, _, _), value in zip(keys[:index], cursor[:index], strict=True):
            parts.append(f"{prior} is null" if value is None else f"{prior} = {statement.bind(value, prior_cast)}")
        value = cursor[index]
        placeholder = statement.bind(value, cast) if value is not None else ""
        parts.append(_after(expr, placeholder, descending, nullable, value is None, forward))
        alternatives.append("(" + " and ".join(parts) + ")")
    return "(" + " or ".join(alternatives) + ")"


def filter_condition(statement: Statement, table: Table, wanted: Filter) -> str:
    column = table.column(wanted.column)
    if column is None or wanted.operator not in OPERATORS:
        raise ValueError(f"no such column or operator: {wanted}")  # forms only pass catalog names
    template = OPERATORS[wanted.operator][1]
    if wanted.operator in VALUELESS:
        return template.format(col=column.quoted, val="")
    if wanted.operator in TEXT_OPERATORS:
        return template.format(col=column.quoted, val=statement.bind(wanted.value))
    if compared_as_text(column):
        return template.format(col=f"{column.quoted}::text", val=statement.bind(wanted.value))
    return template.format(col=column.quoted, val=statement.bind(wanted.value, column.cast))


def selected_columns(table: Table) -> str:
    """Every column as PostgreSQL's own text (exact: numerics, times and arrays as typed), plus
    ``ctid`` for a table without a key (its rows' only address)."""
    columns = [f"{column.quoted}::text as {column.quoted}" for column in table.columns]
    if not table.primary_key:
        columns.append(f"{CTID}::text as {CTID}")
    return ", ".join(columns) or "1"


# The column of a typed page holding the row as JSON text (a name no catalog column will clash
# with in practice; the key columns beside it are selected under their own names).
TYPED_ROW = "platformkit row json"


def typed_columns(table: Table, order: Order) -> str:
    """The page's order keys (as text, for the next page's cursor) and the whole row as JSON
    text made by PostgreSQL: numbers stay numbers (numeric exactly as stored), booleans
    booleans, arrays and json values nested, times in ISO 8601; columns in the table's order."""
    keys = [f"{quote(name)}::text as {quote(name)}" for name in cursor_names(table, order)]
    return ", ".join([*keys, f"row_to_json({ROW})::text as {quote(TYPED_ROW)}"])


def page_query(
    table: Table,
    order: Order,
    filters: list[Filter],
    *,
    cursor: list[str | None] | None = None,
    forward: bool = True,
    size: int = PAGE_SIZE,
    typed: bool = False,
) -> Statement:
    """One page of rows (``size + 1`` are read, to know whether another page follows). Going
    backwards (``forward=False``) reads in the reverse order; the caller turns the page round.
    ``typed``: each row also as JSON with its types kept (:func:`typed_columns`)."""
    statement = Statement("")
    conditions = [filter_condition(statement, table, wanted) for wanted in filters]
    keys = order_keys(table, order)
    if cursor is not None:
        conditions.append(keyset_condition(statement, keys, cursor, forward=forward))
    ordering = []
    for expr, _, descending, nullable in keys:
        # Forward: as asked, nulls last; backward: all of it the other way round.
        direction = ("desc" if descending else "asc") if forward else ("asc" if descending else "desc")
        nulls = (" nulls last" if forward else " nulls first") if nullable else ""
        ordering.append(f"{expr} {direction}{nulls}")
    where = f" where {' and '.join(conditions)}" if conditions else ""
    limit = statement.bind(size + 1, "int")
    selected = typed_columns(table, order) if typed else selected_columns(table)
    statement.sql = (
        f"select {selected} from {table.qualified} as {ROW}{where} order by {', '.join(ordering)} limit {limit}"
    )
    return statement


def cursor_of(table: Table, order: Order, row: dict[str, Any]) -> list[str | None]:
    """The key values of ``row`` (as selected by :func:`selected_columns`) in ``order_keys`` order."""
    return [row.get(name) for name in cursor_names(table, order)]


def cursor_names(table: Table, order: Order) -> list[str]:
    """The columns a page's cursor holds, in ``order_keys`` order: the sort column, then the key."""
    names = []
    sort = table.column(order.column) if order.column else None
    if sort is not None and sort.name not in table.primary_key[:1]:
        names.append(sort.name)
    names.extend(table.primary_key or (CTID,))
    return names


def key_condition(statement: Statement, table: Table, key: dict[str, str]) -> str:
    """``where`` the primary key is ``key`` (column name -> value as text)."""
    return " and ".join(
        f"{column.quoted} = {statement.bind(key[column.name], column.cast)}" for column in table.key_columns()
    )


def row_query(table: Table, key: dict[str, str]) -> Statement:
    statement = Statement("")
    condition = key_condition(statement, table, key)
    statement.sql = f"select {selected_columns(table)} from {table.qualified} where {condition}"
    return statement


def _returning(table: Table) -> str:
    return ", ".join(f"{column.quoted}::text as {column.quoted}" for column in table.key_columns())


def insert_statement(table: Table, values: dict[str, str | None]) -> Statement:
    """``values``: the columns given (the others take their default)."""
    statement = Statement("")
    names = [name for name in values if table.column(name) is not None]
    if names:
        placeholders = ", ".join(statement.bind(values[name], table.column(name).cast) for name in names)  # type: ignore[union-attr]
        columns = ", ".join(quote(name) for name in names)
        body = f"({columns}) values ({placeholders})"
    else:
        body = "default values"
    statement.sql = f"insert into {table.qualified} {body} returning {_returning(table)}"
    return statement


def update_statement(table: Table, key: dict[str, str], values: dict[str, str | None]) -> Statement:
    statement = Statement("")
    assignments = ", ".join(
        f"{quote(name)} = {statement.bind(value, table.column(name).cast)}"  # type: ignore[union-attr]
        for name, value in values.items()
        if table.column(name) is not None
    )
    condition = key_condition(statement, table, key)
    statement.sql = f"update {table.qualified} set {assignments} where {condition} returning {_returning(table)}"
    return statement


def delete_statement(table: Table, key: dict[str, str]) -> Statement:
    statement = Statement("")
    condition = key_condition(statement, table, key)
    statement.sql = f"delete from {table.qualified} where {condition} returning {_returning(table)}"
    return statement


def like_pattern(text: str) -> str:
    """``text`` as an ILIKE pattern matching it anywhere, its own ``%``, ``_`` and ``\\`` literal."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def reference_search(table: Table, column: Column, label: Column | None, text: str, size: int) -> Statement:
    """Rows of ``table`` (a foreign key's referenced table) whose ``column`` (the referenced key)
    or ``label`` (a text column shown beside it) contains ``text``, an exact key first."""
    statement = Statement("")
    key = f"{ROW}.{column.quoted}"
    shown = f"{ROW}.{label.quoted}::text" if label is not None else "null::text"
    where, exact = "", ""
    if text:
        pattern = statement.bind(like_pattern(text), "text")
        where = f" where {key}::text ilike {pattern}" + (f" or {shown} ilike {pattern}" if label is not None else "")
        exact = f"{key}::text = {statement.bind(text, 'text')} desc, "
    limit = statement.bind(size, "int")
    statement.sql = (
        f"select {key}::text as key, {shown} as label from {table.qualified} as {ROW}{where}"
        f" order by {exact}{key} limit {limit}"
    )
    return statement
