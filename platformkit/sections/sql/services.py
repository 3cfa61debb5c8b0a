"""The SQL editor's logic, free of views: what a statement would do (parsed with pglast, the
PostgreSQL parser), PostgreSQL errors taken apart for display, and results shaped for a grid
that stays fast however many rows come back."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

# Rows rendered in the grid; the rest are counted and offered as a download.
GRID_ROW_CAP = 500
CELL_PREVIEW_CHARS = 120
# Roles and settings whose change could lock the dashboard (or PostgREST) out of the database.
PROTECTED_ROLES = frozenset({"postgres", "authenticator", "anon", "authenticated", "service_role", "supabase_admin"})
LOCKOUT_SETTINGS = frozenset({"default_transaction_read_only", "session_authorization", "role", "statement_timeout"})
RLS_SCHEMAS = frozenset({"public"})


@dataclass(frozen=True)
class Warning:
    kind: str  # drop, truncate, unfiltered, alter_drop, lockout, no_rls, parse
    message: str


@dataclass
class Analysis:
    warnings: list[Warning] = field(default_factory=list)
    writes: bool = False  # anything but plain reads
    tables_without_rls: list[str] = field(default_factory=list)  # "schema.table" created in public
    parse_error: str | None = None

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.warnings)


def analyse(sql: str) -> Analysis:
    """Destructive or risky statements in ``sql``. Unparsable SQL is left to PostgreSQL to
    reject (with its own message), so it needs no confirmation here."""
    from pglast import ast, enums, parse_sql
    from pglast.parser import ParseError

    result = Analysis()
    try:
        statements = parse_sql(sql)
    except ParseError as exc:
        result.parse_error = str(exc)
        result.writes = True
        return result
    enabled: set[str] = set()
    created: list[str] = []
    for raw in statements:
        stmt = raw.stmt
        if not isinstance(stmt, (ast.SelectStmt, ast.ExplainStmt, ast.VariableShowStmt)):
            result.writes = True
        if isinstance(stmt, ast.DropStmt):
            kind = enums.ObjectType(stmt.removeType).name.removeprefix("OBJECT_").lower()
            result.warnings.append(Warning("drop", f"DROP {kind.upper()} removes it and everything in it."))
        elif isinstance(stmt, ast.TruncateStmt):
            result.warnings.append(Warning("truncate", "TRUNCATE deletes every row of the table."))
        elif isinstance(stmt, (ast.DeleteStmt, ast.UpdateStmt)) and stmt.whereClause is None:
            verb = "DELETE" if isinstance(stmt, ast.DeleteStmt) else "UPDATE"
            result.warnings.append(
                Warning("unfiltered", f"{verb} without WHERE changes every row of {stmt.relation.relname}.")
            )
        elif isinstance(stmt, ast.AlterTableStmt):
            for cmd in stmt.cmds or ():
                name = enums.AlterTableType(cmd.subtype).name
                if name.startswith("AT_Drop"):
                    result.warnings.append(
                        Warning("alter_drop", f"ALTER TABLE {stmt.relation.relname} drops something ({name[3:]}).")
                    )
                if name == "AT_EnableRowSecurity":
                    enabled.add(_qualified(stmt.relation))
                if name == "AT_DisableRowSecurity":
                    result.warnings.append(
                        Warning(
                            "lockout",
                            f"Row level security is switched off on {stmt.relation.relname}: every row becomes reachable through the API.",
                        )
                    )
        elif isinstance(stmt, (ast.AlterRoleStmt, ast.DropRoleStmt, ast.AlterRoleSetStmt)):
            roles = (
                [stmt.role]
                if hasattr(stmt, "role") and stmt.role is not None
                else list(getattr(stmt, "roles", None) or [])
            )
            names = {getattr(role, "rolename", None) for role in roles}
            if names & PROTECTED_ROLES:
                result.warnings.append(
                    Warning(
                        "lockout",
                        f"Changing role {', '.join(sorted(n for n in names if n))} can lock the dashboard and the API out.",
                    )
                )
        elif isinstance(stmt, (ast.AlterDatabaseStmt, ast.AlterDatabaseSetStmt)):
            result.warnings.append(Warning("lockout", "ALTER DATABASE can refuse connections or change every session."))
        elif isinstance(stmt, ast.VariableSetStmt) and (stmt.name or "") in LOCKOUT_SETTINGS:
            result.warnings.append(Warning("lockout", f"SET {stmt.name} changes what this session may do."))
        elif (
            isinstance(stmt, ast.GrantStmt)
            and not stmt.is_grant
            and any(getattr(grantee, "rolename", None) in PROTECTED_ROLES for grantee in stmt.grantees or ())
        ):
            result.warnings.append(Warning("lockout", "REVOKE from an API role can lock the API out."))
        elif isinstance(stmt, ast.CreateStmt) and (stmt.relation.schemaname or "public") in RLS_SCHEMAS:
            created.append(_qualified(stmt.relation))
    result.tables_without_rls = [name for name in created if name not in enabled]
    for name in result.tables_without_rls:
        result.warnings.append(
            Warning(
                "no_rls", f"New table {name} has no row level security: anyone with the anon key can read and write it."
            )
        )
    return result


def _qualified(relation: Any) -> str:
    return f"{relation.schemaname or 'public'}.{relation.relname}"


def with_rls(sql: str, tables: list[str]) -> str:
    """``sql`` followed by enabling row level security on ``tables``."""
    from psycopg import sql as psql

    enable = "".join(
        f"\nalter table {'.'.join(psql.Identifier(part).as_string(None) for part in name.split('.', 1))} enable row level security;"
        for name in tables
    )
    return sql.rstrip().rstrip(";") + ";" + enable


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # the JSON type seen in the rows (the API returns no column types)


@dataclass(frozen=True)
class Cell:
    text: str  # what the grid shows (NULL for null)
    full: str | None  # the whole value when ``text`` is a preview
    null: bool


@dataclass
class ResultGrid:
    columns: list[Column]
    rows: list[list[Cell]]
    row_count: int
    capped: bool


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)


def grid(rows: list[dict[str, Any]], cap: int = GRID_ROW_CAP) -> ResultGrid:
    names: list[str] = list(rows[0]) if rows else []
    kinds: dict[str, str] = {}
    for row in rows:
        for name in names:
            kind = _kind(row.get(name))
            if kind != "null":
                kinds.setdefault(name, kind)
        if len(kinds) == len(names):
            break
    shown = []
    for row in rows[:cap]:
        cells = []
        for name in names:
            value = row.get(name)
            if value is None:
                cells.append(Cell("NULL", None, True))
                continue
            text = as_text(value)
            preview = text if len(text) <= CELL_PREVIEW_CHARS else text[:CELL_PREVIEW_CHARS] + "…"
            cells.append(Cell(preview, text if preview != text else None, False))
        shown.append(cells)
    return ResultGrid([Column(name, kinds.get(name, "null")) for name in names], shown, len(rows), len(rows) > cap)


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    names = list(rows[0]) if rows else []
    writer = csv.writer(out)
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else _csv_safe(as_text(row.get(name))) for name in names])
    return out.getvalue()


def _csv_safe(text: str) -> str:
    # A cell starting with = + - @ is a formula in spreadsheets: keep it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not re.match(r"^-?\d", text) else text


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1)
