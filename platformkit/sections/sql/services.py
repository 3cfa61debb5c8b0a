"""The SQL editor's logic, free of views: what a statement would do (parsed with pglast, the
PostgreSQL parser), running it (timed, kept in its owner's history, audited when it may write),
PostgreSQL errors taken apart for display, results shaped for a grid that stays fast however
many rows come back, and saved snippets."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from pglast import ast, enums, parse_plpgsql, parse_sql
from pglast.parser import ParseError
from pglast.visitors import Skip, Visitor

from platformkit.api import errors
from platformkit.api.rowstream import RowStream
from platformkit.core.audit import audit
from platformkit.core.client import get_client
from platformkit.core.exports import spreadsheet_safe
from platformkit.core.pgerrors import PostgresError, parse_error
from platformkit.core.upstream import UpstreamProblem, describe
from platformkit.models import QueryRun, SavedQuery

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

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


@dataclass(frozen=True)
class Estimate:
    """The planner's guess of the rows one UPDATE or DELETE changes (EXPLAIN, nothing run)."""

    verb: str  # Update, Delete
    table: str
    rows: int


@dataclass
class Analysis:
    warnings: list[Warning] = field(default_factory=list)
    writes: bool = False  # anything but plain reads
    tables_without_rls: list[str] = field(default_factory=list)  # "schema.table" created in public
    parse_error: str | None = None
    # Top-level statements holding an UPDATE or DELETE, whose rows EXPLAIN can estimate.
    estimable: list[str] = field(default_factory=list)
    estimates: list[Estimate] = field(default_factory=list)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.warnings)


def analyse(sql: str) -> Analysis:
    """Destructive or risky statements in ``sql``. Unparsable SQL is left to PostgreSQL to
    reject (with its own message), so it needs no confirmation here."""
    result = Analysis()
    try:
        statements = parse_sql(sql)
    except ParseError as exc:
        result.parse_error = str(exc)
        result.writes = True
        return result
    enabled: set[str] = set()
    created: list[str] = []
    encoded = sql.encode()  # the parser's locations count UTF-8 bytes
    for raw in statements:
        location, length = raw.stmt_location or 0, raw.stmt_len or len(encoded)
        text = encoded[location : location + length].decode().strip()
        _check(raw.stmt, text, result, enabled, created)
        if not isinstance(raw.stmt, ast.ExplainStmt) and _Modifications.of(raw.stmt, ast.UpdateStmt, ast.DeleteStmt):
            result.estimable.append(text)
    result.tables_without_rls = [name for name in created if name not in enabled]
    for name in result.tables_without_rls:
        result.warnings.append(
            Warning(
                "no_rls", f"New table {name} has no row level security: anyone with the anon key can read and write it."
            )
        )
    return result


def _check(stmt: Any, text: str, result: Analysis, enabled: set[str], created: list[str]) -> None:
    """Add what ``stmt`` (whose SQL is ``text``) risks to ``result``."""
    nested = _Modifications()
    if stmt is not None and not _explained_only(stmt):
        nested(stmt)
    if nested.found or not isinstance(stmt, (ast.SelectStmt, ast.ExplainStmt, ast.VariableShowStmt)):
        result.writes = True
    if isinstance(stmt, ast.DropStmt):
        kind = _object_type(stmt.removeType).removeprefix("OBJECT_").lower()
        result.warnings.append(Warning("drop", f"DROP {kind.upper()} removes it and everything in it."))
    elif isinstance(stmt, ast.TruncateStmt):
        result.warnings.append(Warning("truncate", "TRUNCATE deletes every row of the table."))
    elif isinstance(stmt, (ast.DeleteStmt, ast.UpdateStmt)) and stmt.whereClause is None:
        result.warnings.append(_unfiltered(stmt))
    elif isinstance(stmt, ast.AlterTableStmt):
        for cmd in stmt.cmds or ():
            name = enums.AlterTableType(cmd.subtype).name
            if name.startswith("AT_Drop"):
                result.warnings.append(
                    Warning("alter_drop", f"ALTER TABLE {_name(stmt.relation)} drops something ({name[3:]}).")
                )
            if name == "AT_EnableRowSecurity":
                enabled.add(_qualified(stmt.relation))
            if name == "AT_DisableRowSecurity":
                result.warnings.append(
                    Warning(
                        "lockout",
                        f"Row level security is switched off on {_name(stmt.relation)}:"
                        " every row becomes reachable through the API.",
                    )
                )
    elif isinstance(stmt, (ast.AlterRoleStmt, ast.DropRoleStmt, ast.AlterRoleSetStmt)):
        roles = (
            [stmt.role] if hasattr(stmt, "role") and stmt.role is not None else list(getattr(stmt, "roles", None) or [])
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
    elif isinstance(stmt, ast.CreateStmt) and stmt.relation is not None:
        if (stmt.relation.schemaname or "public") in RLS_SCHEMAS:
            created.append(_qualified(stmt.relation))
    elif isinstance(stmt, ast.DoStmt):
        _check_procedural(result, "The DO block", "", _do_body(stmt))
    elif isinstance(stmt, ast.CreateFunctionStmt):
        what = f"{'Procedure' if stmt.is_procedure else 'Function'} {'.'.join(n.sval for n in stmt.funcname or ())}"
        _check_procedural(result, what, " when it is called", _function_body(stmt, text))
    # A DELETE or UPDATE inside another statement (a data-modifying WITH, EXPLAIN ANALYZE)
    # changes rows just the same: ``with x as (delete from t returning *) select ...``.
    result.warnings.extend(_unfiltered(found) for found in nested.unfiltered if found is not stmt)


# Procedural code: a DO block runs now, a function body whenever it is called. PL/pgSQL is
# parsed (pglast's parse_plpgsql) and each SQL statement in it checked as a top-level one is;
# what cannot be read ahead (EXECUTE of a string, another language) is said so and confirmed.
PLPGSQL_STATEMENT = 0  # PLpgSQL_expr parseMode: a whole SQL statement (else an expression)
DYNAMIC = frozenset({"PLpgSQL_stmt_dynexecute", "PLpgSQL_stmt_dynfors"})


@dataclass
class Body:
    """The SQL statements found in a procedural body, and why it could not be read whole."""

    statements: list[tuple[Any, str]] = field(default_factory=list)  # (node, text)
    unreadable: str | None = None


def _option(options: Any, name: str) -> Any:
    return next((option.arg for option in options or () if option.defname == name), None)


def _do_body(stmt: ast.DoStmt) -> Body:
    language = getattr(_option(stmt.args, "language"), "sval", None) or "plpgsql"
    code = getattr(_option(stmt.args, "as"), "sval", None) or ""
    if language.lower() != "plpgsql":
        return Body(unreadable=f"is written in {language}, which cannot be checked here")
    quote = "$pk_body$"
    while quote in code:
        quote = quote[:-1] + "_$"
    return _plpgsql(f"create function pk_do() returns void language plpgsql as {quote}{code}{quote}")


def _function_body(stmt: ast.CreateFunctionStmt, text: str) -> Body:
    if stmt.sql_body is not None:  # BEGIN ATOMIC ... END: parsed with the statement
        nodes = [node for item in stmt.sql_body for node in (item if isinstance(item, tuple) else (item,))]
        return Body([(node, "") for node in nodes if node is not None])
    language = (getattr(_option(stmt.options, "language"), "sval", None) or "sql").lower()
    code = _option(stmt.options, "as")
    if language == "plpgsql":
        return _plpgsql(text)
    if language == "sql" and code:
        try:
            return Body([(raw.stmt, "") for raw in parse_sql(code[0].sval)])
        except ParseError:
            return Body(unreadable="does not parse")
    if language in ("c", "internal"):
        return Body()  # compiled code, no SQL to read (and only a superuser may create it)
    return Body(unreadable=f"is written in {language}, which cannot be checked here")


def _plpgsql(definition: str) -> Body:
    try:
        functions = parse_plpgsql(definition)
    except ParseError as exc:
        return Body(unreadable=f"does not parse ({exc})")
    body = Body()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in DYNAMIC and body.unreadable is None:
                    body.unreadable = "runs SQL built at run time (EXECUTE), which cannot be checked here"
                if key == "PLpgSQL_expr" and value.get("parseMode") == PLPGSQL_STATEMENT:
                    query = str(value.get("query", ""))
                    try:
                        body.statements.extend((raw.stmt, query) for raw in parse_sql(query))
                    except ParseError:
                        body.unreadable = body.unreadable or f"holds a statement that does not parse ({query[:60]})"
                walk(value)

    walk(functions)
    return body


def _check_procedural(result: Analysis, what: str, when: str, body: Body) -> None:
    inner = Analysis()
    for node, text in body.statements:
        _check(node, text, inner, set(), [])
    changes = [_describe(node) for node, _ in body.statements if _writes(node)]
    if changes:
        result.warnings.append(Warning("procedural", f"{what} changes data or the schema{when}: {', '.join(changes)}."))
    result.warnings.extend(
        Warning(warning.kind, f"In {what[0].lower()}{what[1:]}: {warning.message}") for warning in inner.warnings
    )
    if body.unreadable is not None:
        result.warnings.append(
            Warning("procedural", f"{what} {body.unreadable}: confirm only if you know what it does.")
        )


def _writes(node: Any) -> bool:
    probe = Analysis()
    _check(node, "", probe, set(), [])
    return probe.writes


def _describe(node: Any) -> str:
    """A statement in a few words: its verb and the table it names."""
    verb = type(node).__name__.removesuffix("Stmt")
    words = {"Insert": "INSERT into", "Update": "UPDATE", "Delete": "DELETE from", "Merge": "MERGE into"}
    relation = getattr(node, "relation", None)
    if verb in words and relation is not None:
        return f"{words[verb]} {_name(relation)}"
    if isinstance(node, ast.TruncateStmt):
        return "TRUNCATE " + ", ".join(_name(relation) for relation in node.relations or ())
    if isinstance(node, ast.DropStmt):
        return "DROP " + _object_type(node.removeType).removeprefix("OBJECT_")
    return " ".join(part.upper() for part in re.findall(r"[A-Z][a-z]*", verb)) or verb


class _Modifications(Visitor):
    """Every INSERT, UPDATE, DELETE and MERGE in a statement, at any depth (the statement included)."""

    def __init__(self) -> None:
        self.found: list[Any] = []
        self.unfiltered: list[ast.DeleteStmt | ast.UpdateStmt] = []

    @classmethod
    def of(cls, stmt: Any, *kinds: type) -> bool:
        """Whether ``stmt`` holds (or is) a modification of one of ``kinds``."""
        found = cls()
        found(stmt)
        return any(isinstance(node, kinds) for node in found.found)

    def visit_CreateFunctionStmt(self, ancestors: Any, node: ast.CreateFunctionStmt) -> Any:
        return Skip  # a body (BEGIN ATOMIC) runs when called, not now: checked on its own

    def visit_InsertStmt(self, ancestors: Any, node: ast.InsertStmt) -> None:
        self.found.append(node)

    def visit_MergeStmt(self, ancestors: Any, node: ast.MergeStmt) -> None:
        self.found.append(node)

    def visit_DeleteStmt(self, ancestors: Any, node: ast.DeleteStmt) -> None:
        self._changes(node)

    def visit_UpdateStmt(self, ancestors: Any, node: ast.UpdateStmt) -> None:
        self._changes(node)

    def _changes(self, node: ast.DeleteStmt | ast.UpdateStmt) -> None:
        self.found.append(node)
        if node.whereClause is None:
            self.unfiltered.append(node)


def _explained_only(stmt: Any) -> bool:
    """EXPLAIN without ANALYZE plans the statement and runs nothing."""
    if not isinstance(stmt, ast.ExplainStmt):
        return False
    for option in stmt.options or ():
        if option.defname == "analyze":
            value = getattr(option.arg, "sval", None) or getattr(option.arg, "boolval", None)
            return str(value).lower() in ("false", "off", "0", "no")
    return True


def _unfiltered(stmt: ast.DeleteStmt | ast.UpdateStmt) -> Warning:
    verb = "DELETE" if isinstance(stmt, ast.DeleteStmt) else "UPDATE"
    return Warning("unfiltered", f"{verb} without WHERE changes every row of {_name(stmt.relation)}.")


def _object_type(value: Any) -> str:
    """``OBJECT_TABLE`` for a DROP's ``removeType`` (an ``ObjectType`` or its number)."""
    return str(enums.ObjectType(value).name)


def _name(relation: ast.RangeVar | None) -> str:
    """The relation a statement names (every DELETE, UPDATE and ALTER TABLE names one)."""
    return str(relation.relname) if relation is not None else ""


def _qualified(relation: Any) -> str:
    return f"{relation.schemaname or 'public'}.{relation.relname}"


def with_rls(sql: str, tables: list[str]) -> str:
    """``sql`` followed by enabling row level security on ``tables``."""
    from psycopg import sql as psql  # an optional dependency (the local and scale extras)

    def quoted(name: str) -> str:
        return ".".join(psql.Identifier(part).as_string(None) for part in name.split(".", 1))

    enable = "".join(f"\nalter table {quoted(name)} enable row level security;" for name in tables)
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
    # The query was read with a LIMIT one past the grid (:func:`limited`): ``row_count`` then
    # says "at least", and the download has them all.
    more_unknown: bool = False

    @property
    def count_text(self) -> str:
        if self.capped and self.more_unknown:
            return f"More than {len(self.rows)} rows"
        return f"{self.row_count} row{'' if self.row_count == 1 else 's'}"


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


_GRID_HEAD = "select * from (\n"
# A download reads a plain SELECT in one call (one snapshot), each row as PostgreSQL's own JSON
# text of it: numbers exactly as PostgreSQL wrote them (the API's JSON carries a numeric as a
# float), in the order the statement gives them (the input order, which the manual says a sorted
# subquery "will usually" keep). The answer is read as it arrives, never held whole.
DOWNLOAD_COLUMN = "platformkit_row"
_DOWNLOAD_HEAD = f"select row_to_json(platformkit_download)::text as {DOWNLOAD_COLUMN}\nfrom (\n"


@dataclass(frozen=True)
class Limited:
    """One plain SELECT wrapped to read a bounded number of its rows (:func:`limited`,
    :func:`download_query`)."""

    sql: str  # what is sent
    start: int  # where the statement's own text begins in the editor's text (characters)
    length: int
    head: str = _GRID_HEAD  # what precedes the statement's text in ``sql``

    def in_editor(self, error: PostgresError, editor_sql: str) -> PostgresError:
        """``error`` (positioned in :attr:`sql`) with its position in the editor's text, or no
        position when it points into the wrapper."""
        if error.offset is None:
            return error
        offset = error.offset - len(self.head) + self.start
        if not self.start <= offset < self.start + self.length:
            return replace(error, line=None, column=None, offset=None)
        before = editor_sql[:offset]
        return replace(error, line=before.count("\n") + 1, column=offset - before.rfind("\n"), offset=offset)


def _plain_select(sql: str) -> tuple[str, int] | None:
    """The text of ``sql`` when it is one plain SELECT (or VALUES, TABLE, WITH ... SELECT) that
    changes and locks nothing, and where that text starts (characters); else ``None``."""
    try:
        statements = parse_sql(sql)
    except ParseError:
        return None
    if len(statements) != 1:
        return None
    stmt = statements[0].stmt
    if not isinstance(stmt, ast.SelectStmt) or stmt.intoClause is not None or stmt.lockingClause:
        return None
    modifications = _Modifications()
    modifications(stmt)
    if modifications.found:
        return None  # a data-modifying WITH runs whole, whatever the grid shows
    # The parser's locations count UTF-8 bytes, not characters.
    encoded = sql.encode()
    location, length = statements[0].stmt_location or 0, statements[0].stmt_len or len(encoded)
    raw = encoded[location : location + length].decode()
    text = raw.strip().rstrip(";").rstrip()
    return text, len(encoded[:location].decode()) + len(raw) - len(raw.lstrip())


def limited(sql: str, cap: int = GRID_ROW_CAP) -> Limited | None:
    """``sql`` reading at most ``cap + 1`` rows, when it is one plain SELECT: the grid shows
    ``cap`` and needs only to know that more exist, so a ``select *`` of a million rows is not
    fetched, sent and parsed whole (3.1 s for 100k rows; the timeout for 1M). ``None`` for
    anything else, which runs as written."""
    found = _plain_select(sql)
    if found is None:
        return None
    text, start = found
    # The statement's own text on lines of its own, so a trailing "-- comment" cannot swallow
    # the closing parenthesis.
    return Limited(f"{_GRID_HEAD}{text}\n) as platformkit_grid limit {cap + 1}", start, len(text))


def download_query(sql: str) -> Limited | None:
    """Every row of one plain SELECT, in its own order, each as its JSON text (column
    :data:`DOWNLOAD_COLUMN`); ``None`` when ``sql`` is not one. Not in LIMIT/OFFSET pages: each
    page would be its own snapshot and its own run of the query, and PostgreSQL keeps an order
    across different LIMIT/OFFSET values only when the ORDER BY is unique (a review found 138 of
    3,500 rows missing and as many repeated, with ties in the order)."""
    found = _plain_select(sql)
    if found is None:
        return None
    text, start = found
    return Limited(f"{_DOWNLOAD_HEAD}{text}\n) as platformkit_download", start, len(text), head=_DOWNLOAD_HEAD)


def grid(rows: list[dict[str, Any]], cap: int = GRID_ROW_CAP, *, limited: bool = False) -> ResultGrid:
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
    return ResultGrid(
        [Column(name, kinds.get(name, "null")) for name in names],
        shown,
        len(rows),
        len(rows) > cap,
        more_unknown=limited and len(rows) > cap,
    )


CHUNK_CHARS = 64 * 1024  # a download is handed to the server in pieces of about this size


class Incomplete(Exception):
    """A download broke off after its first bytes were sent; the message says why and how far."""


def csv_chunks(rows: Iterable[str]) -> Iterator[str]:
    """A result's rows (each its JSON text) as CSV, in chunks: the header from the first row (an
    empty result has no column names to give), cells spreadsheet-safe, a numeric's digits as
    PostgreSQL wrote them. A download that broke off (:class:`Incomplete`) ends with a line that
    says so, never as a shorter file that looks whole, and the response is cut off after it (the
    exception goes on up: the server drops the connection without the last chunk)."""
    out = io.StringIO()
    writer = csv.writer(out)
    names: list[str] | None = None
    try:
        for text in rows:
            row = _ROW_DECODER.decode(text)
            if names is None:
                names = list(row)
                writer.writerow(names)
            writer.writerow([_csv_cell(row.get(n)) for n in names])
            if out.tell() >= CHUNK_CHARS:
                yield _drained(out)
    except Incomplete as exc:
        writer.writerow([f"DOWNLOAD INCOMPLETE: {exc}"])
        yield _drained(out)
        raise  # the response is cut off too, so the browser reports the download as failed
    yield _drained(out) if names is not None else "\r\n"


def _drained(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


# One decoder for every row (``json.loads`` with an option builds one per call: a sixth of a
# 1M-row CSV's time).
_ROW_DECODER = json.JSONDecoder(parse_float=Decimal)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is int:  # the commonest cells first: an integer is never a formula
        return str(value)
    return spreadsheet_safe(value if type(value) is str else _csv_text(value))


def _csv_text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=float)  # a nested number: as JSON writes one
    return as_text(value)


def json_chunks(rows: Iterable[str]) -> Iterator[str]:
    """A result's rows as one JSON array of row objects, each row's text passed on as it came. A
    download that broke off (:class:`Incomplete`) is left unclosed with a line that says why, so
    no JSON reader takes it for the whole result."""
    out = io.StringIO()
    out.write("[")
    first = True
    try:
        for text in rows:
            out.write(("\n" if first else ",\n") + text)
            first = False
            if out.tell() >= CHUNK_CHARS:
                yield _drained(out)
    except Incomplete as exc:
        out.write(f"\n\nDOWNLOAD INCOMPLETE: {exc}\n")
        yield _drained(out)
        raise  # the response is cut off too (see csv_chunks)
    out.write("]\n" if first else "\n]\n")
    yield _drained(out)


# History and snippets: each owner's own


@dataclass(frozen=True)
class Owner:
    """Whose history and snippets these are: an operator's, or inside an embed the host's
    end-user's (an embed has no Django user; its session names the subject)."""

    user: AbstractBaseUser | AnonymousUser | None = None
    embed_subject: str = ""

    def rows(self) -> dict[str, Any]:
        return {"user": self.user, "embed_subject": self.embed_subject}


def history(owner: Owner, project_ref: str, target_ref: str, size: int) -> QuerySet[QueryRun]:
    """The owner's latest runs on one target (production or one branch), newest first: what ran
    on a branch is not shown as if it had run on production, nor the other way round."""
    return QueryRun.objects.filter(**owner.rows(), project_ref=project_ref, target_ref=target_ref)[:size]


def snippets(owner: Owner, project_ref: str) -> QuerySet[SavedQuery]:
    return SavedQuery.objects.filter(**owner.rows(), project_ref=project_ref)


def earlier_sql(owner: Owner, project_ref: str, *, run: int | None = None, snippet: int | None = None) -> str:
    """The SQL of one of the owner's runs or snippets ("" when it is not theirs or gone)."""
    found: QueryRun | SavedQuery | None = None
    if run is not None:
        found = QueryRun.objects.filter(**owner.rows(), project_ref=project_ref, pk=run).first()
    elif snippet is not None:
        found = SavedQuery.objects.filter(**owner.rows(), project_ref=project_ref, pk=snippet).first()
    return found.sql if found else ""


def save_snippet(owner: Owner, project_ref: str, name: str, sql: str) -> SavedQuery:
    """Save ``sql`` as the owner's snippet ``name`` (replacing one of the same name)."""
    snippet, _ = SavedQuery.objects.update_or_create(
        **owner.rows(), project_ref=project_ref, name=name, defaults={"sql": sql}
    )
    return snippet


# Running


@dataclass
class RunOutcome:
    """What one run of the editor came to: a confirmation to ask for (nothing ran), a
    PostgreSQL error, another API failure, or the rows."""

    sql: str  # as sent (with the RLS statements when they were asked for)
    analysis: Analysis | None = None  # it needs confirmation first: nothing was sent
    pg_error: PostgresError | None = None
    error_at: tuple[str, str, str] | None = None  # the SQL around ``pg_error``'s position
    problem: UpstreamProblem | None = None
    rows: list[dict[str, Any]] | None = None
    duration_ms: int | None = None
    limited: bool = False  # read with :func:`limited`'s LIMIT (for the grid)
    download: Iterator[str] | None = None  # a download's rows as they arrive, each its JSON text


def run_query(
    *,
    actor: AbstractBaseUser | AnonymousUser,
    owner: Owner,
    project_ref: str,
    target_ref: str,
    sql: str,
    parameters: list[Any] | None,
    read_only: bool,
    confirmed: bool = False,
    enable_rls: bool = False,
) -> RunOutcome:
    """Run ``sql`` on ``target_ref``: a writable run asks for confirmation first when
    :func:`analyse` finds something risky (or, with ``enable_rls``, enables row level security
    on the new public tables instead). Timed, kept in the owner's history, and a writable run
    recorded in the audit trail (``sql.run``) whether it succeeded or not. One plain SELECT
    is read only as far as the grid shows (:func:`limited`); downloads: :func:`start_download`."""
    if not read_only:
        analysis = analyse(sql)
        if enable_rls and analysis.tables_without_rls:
            # Enabling RLS settles that warning only: anything else risky still needs the
            # confirmation (a DROP beside the CREATE TABLE must not ride along unasked).
            rewritten = with_rls(sql, analysis.tables_without_rls)
            if analyse(rewritten).needs_confirmation and not confirmed:
                analysis.estimates = estimate_rows(target_ref, analysis, parameters)
                return RunOutcome(sql, analysis=analysis)
            sql = rewritten
        elif analysis.needs_confirmation and not confirmed:
            analysis.estimates = estimate_rows(target_ref, analysis, parameters)
            return RunOutcome(sql, analysis=analysis)
    started = time.monotonic()
    run = {"project_ref": project_ref, "target_ref": target_ref, "sql": sql, "read_only": read_only}
    audited = {"target": target_ref, "characters": len(sql)}
    wrapped = limited(sql)
    sent = wrapped.sql if wrapped else sql
    try:
        rows = get_client(cached=False).database.query(
            target_ref, sent, parameters=parameters, read_only=read_only or None
        )
    except errors.APIError as exc:
        QueryRun.objects.create(**owner.rows(), **run, succeeded=False, duration_ms=_since(started))
        if not read_only:
            audit(actor, "sql.run", project_ref=project_ref, success=False, detail=audited)
        return _failed(exc, sql, sent, wrapped)
    duration = _since(started)
    # A limited read does not know the full count: the history keeps none rather than a wrong one.
    counted = None if wrapped and len(rows) > GRID_ROW_CAP else len(rows)
    QueryRun.objects.create(**owner.rows(), **run, row_count=counted, duration_ms=duration)
    if not read_only:
        audit(actor, "sql.run", project_ref=project_ref, detail={**audited, "rows": counted})
    return RunOutcome(sql, rows=rows, duration_ms=duration, limited=wrapped is not None)


MAX_ESTIMATES = 5


def estimate_rows(target_ref: str, analysis: Analysis, parameters: list[Any] | None) -> list[Estimate]:
    """The rows each UPDATE and DELETE of ``analysis`` would change, as the planner guesses
    them: ``EXPLAIN`` (never ANALYZE) in a read-only transaction, so nothing runs. A statement
    that cannot be planned yet (its table is created earlier in the same script) has none."""
    estimates: list[Estimate] = []
    client = get_client(cached=False)
    for text in analysis.estimable[:MAX_ESTIMATES]:
        try:
            rows = client.database.query(
                target_ref, f"explain (format json)\n{text}", parameters=parameters, read_only=True
            )
        except errors.APIError:
            continue
        plan = rows[0].get("QUERY PLAN") if rows else None
        estimates.extend(_modified(plan))
    return estimates


def _modified(plan: Any) -> list[Estimate]:
    """Each ModifyTable node of an EXPLAIN (FORMAT JSON) plan with its input's row estimate."""
    found: list[Estimate] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if node.get("Node Type") == "ModifyTable" and node.get("Operation") in ("Update", "Delete"):
                feeding = (node.get("Plans") or [{}])[0]
                found.append(
                    Estimate(
                        str(node["Operation"]), str(node.get("Relation Name", "")), int(feeding.get("Plan Rows", 0))
                    )
                )
            for value in node.values():
                walk(value)

    walk(plan)
    return found


# A download's own time limits: the longest wait for the API's next bytes (the first come once
# the query has run), and the whole download's, past which the file ends marked incomplete.
DOWNLOAD_WAIT_SECONDS = 60.0
DOWNLOAD_SECONDS = 600.0


def start_download(
    *, owner: Owner, project_ref: str, target_ref: str, sql: str, parameters: list[Any] | None
) -> RunOutcome:
    """A read-only run sent as a file, in one call (one snapshot) whose answer is read as it
    arrives (``query_stream``), so the site holds a chunk of it, never the whole: one plain
    SELECT without bound parameters is read as each row's JSON text (:func:`download_query`),
    anything else (several statements, bound parameters) as the API's rows. An error status is
    shown like any other run's, in the editor; a failure once rows have been sent ends the file
    marked incomplete (:class:`Incomplete`)."""
    whole = download_query(sql) if parameters is None else None
    sent = whole.sql if whole else sql
    run = {"project_ref": project_ref, "target_ref": target_ref, "sql": sql, "read_only": True}
    started = time.monotonic()
    try:
        stream = get_client(cached=False).database.query_stream(
            target_ref, sent, parameters=parameters, read_only=True, timeout=DOWNLOAD_WAIT_SECONDS
        )
    except errors.APIError as exc:
        QueryRun.objects.create(**owner.rows(), **run, succeeded=False, duration_ms=_since(started))
        return _failed(exc, sql, sent, whole)
    record = QueryRun.objects.create(**owner.rows(), **run)
    return RunOutcome(sql, download=_download_rows(stream, record, started, wrapped=whole is not None))


def _download_rows(stream: RowStream, record: QueryRun, started: float, *, wrapped: bool) -> Iterator[str]:
    """The rows of ``stream`` as JSON texts, ``record`` (the run in the history) completed with
    their count at the end, or marked failed when the answer broke off or ran out of time."""
    count = 0
    finished = False
    try:
        with stream:
            for row in stream:
                yield str(row[DOWNLOAD_COLUMN]) if wrapped else json.dumps(row, ensure_ascii=False, default=float)
                count += 1
                if time.monotonic() - started > DOWNLOAD_SECONDS:
                    raise Incomplete(f"stopped at the time limit, {DOWNLOAD_SECONDS:g} s, after {count} rows")
        finished = True
    except errors.APIError as exc:
        raise Incomplete(f"the answer broke off after {count} rows ({exc.message})") from None
    finally:
        # Whatever ended it — the end of the rows, a failure, or the browser going away (the
        # generator closed: GeneratorExit) — the history says how far it got.
        QueryRun.objects.filter(pk=record.pk).update(succeeded=finished, row_count=count, duration_ms=_since(started))


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _failed(exc: errors.APIError, sql: str, sent: str, wrapped: Limited | None) -> RunOutcome:
    """A failed run's outcome: PostgreSQL's error placed in the editor's text, or the problem."""
    if isinstance(exc, errors.ValidationError):
        error = parse_error(exc.message, sent)
        if wrapped:
            error = wrapped.in_editor(error, sql)
        return RunOutcome(sql, pg_error=error, error_at=split_at(sql, error.offset))
    return RunOutcome(sql, problem=describe(exc))


def split_at(sql: str, offset: int | None) -> tuple[str, str, str] | None:
    """The SQL around the error position (before, the character, after), for highlighting."""
    if offset is None or not 0 <= offset < len(sql):
        return None
    return sql[:offset], sql[offset], sql[offset + 1 :]
