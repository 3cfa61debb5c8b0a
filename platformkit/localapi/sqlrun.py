"""SQL on a project's (or a branch's) database, for real: ``database/query`` and the migration
history in ``supabase_migrations.schema_migrations``.

Statements run as the tenant's role ``postgres`` of the project's own instance (so what they
create belongs to it, as in a Supabase project) from a pooled session that is not a
superuser's (``instances/pools.py``), in one transaction,
with a statement timeout; ``read_only`` runs in a READ ONLY transaction that the query cannot
end. Every statement is logged by PostgreSQL itself (``log_statement`` set on the session's
role) and, with password literals masked, by the ``platformkit.localapi.sql`` logger, where
the logs feature can collect it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from time import monotonic
from typing import Any
from uuid import UUID

import psycopg

from .deadlines import deadlines
from .errors import Problem, require
from .instances.manager import Instances

sql_logger = logging.getLogger("platformkit.localapi.sql")

MAX_QUERY_LENGTH = 1_000_000


# Told of each statement run for a caller, and how it ended (the logs feature's postgres_logs).
StatementLog = Callable[[str, str, "psycopg.Error | None", float], None]


_PASSWORD_LITERAL = re.compile(
    r"(\bpassword\s+)((?:[EU]&?)?'(?:[^']|'')*'|\$(\w*)\$.*?\$\3\$)", re.IGNORECASE | re.DOTALL
)


def redact(query: str) -> str:
    """The statement as logs may show it: ``PASSWORD '...'`` literals masked, since log
    readers (the Logs section, an embed granted it) are not all allowed to see them."""
    return _PASSWORD_LITERAL.sub(r"\1'********'", query)


@contextmanager
def _logged(log: StatementLog | None, ref: str, query: str) -> Iterator[Callable[[], None]]:
    """Tell ``log`` how ``query`` (already :func:`redact`-ed) ended, and how long it took: from
    when the block calls the function it is given (as the statement goes out), so the duration is
    the statement's, as ``log_min_duration_statement`` measures it, not a first call's pool and
    login (which made a fast CREATE TABLE 'slow' on a busy machine)."""
    started = monotonic()

    def statement_starts() -> None:
        nonlocal started
        started = monotonic()

    try:
        yield statement_starts
    except psycopg.Error as exc:
        if log is not None:
            log(ref, query, exc, (monotonic() - started) * 1000)
        raise
    if log is not None:
        log(ref, query, None, (monotonic() - started) * 1000)


def postgres_message(exc: psycopg.Error, query: str) -> str:
    """PostgreSQL's error as psql prints it: severity, SQLSTATE and message, the line with a
    caret under the error position, then DETAIL and HINT (the real API answers this way)."""
    diag = exc.diag
    lines = [f"{diag.severity or 'ERROR'}:  {diag.sqlstate or ''}: {diag.message_primary or str(exc).strip()}"]
    if diag.statement_position:
        position = int(diag.statement_position)
        before = query[: position - 1]
        line_number = before.count("\n") + 1
        line_start = before.rfind("\n") + 1
        line_end = query.find("\n", line_start)
        line = query[line_start : line_end if line_end >= 0 else len(query)]
        prefix = f"LINE {line_number}: "
        lines += [prefix + line, " " * (len(prefix) + position - 1 - line_start) + "^"]
    if diag.message_detail:
        lines.append(f"DETAIL:  {diag.message_detail}")
    if diag.message_hint:
        lines.append(f"HINT:  {diag.message_hint}")
    return "\n".join(lines)


def json_value(value: Any) -> Any:
    """A value as the API's JSON carries it (bytea as \\x hex, times as ISO 8601)."""
    if value is None or isinstance(value, (bool, int, str, dict)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    return str(value)


# PostgreSQL's statement_timeout answers first when the tenant left it alone.
_CANCEL_GRACE_SECONDS = 0.5


@contextmanager
def project_transaction(
    instances: Instances, ref: str, *, read_only: bool = False, timeout_seconds: float | None = None
) -> Iterator[psycopg.Connection[Any]]:
    """One transaction on the project's instance as its tenant role ``postgres``, on a pooled
    ``platformkit_sql`` session (which can be nothing more than ``postgres``). The role is set
    for the transaction only, and a read-only one has taken its snapshot with that same
    statement, so ``SET TRANSACTION READ WRITE`` can no longer undo it. ``timeout_seconds``
    other than the pool's statement timeout is set for this session (DISCARD ALL undoes it), and
    also enforced from outside: the tenant's own text can ``SET statement_timeout = 0``, so a
    timer cancels the session's work once the limit (and a moment's grace) has passed."""
    with instances.pooled(ref) as conn:
        conn.read_only = read_only
        if timeout_seconds is None:
            with conn.transaction():
                conn.execute("select set_config('role', 'postgres', true)")
                yield conn
            return
        fired = threading.Event()

        def cancel() -> None:
            fired.set()  # before the cancel, so the error below is known to be ours
            conn.cancel_safe()

        try:
            # Leaving the deadline waits for a cancel already on its way: it lands here, not on
            # the session's next borrower.
            with deadlines.after(timeout_seconds + _CANCEL_GRACE_SECONDS, cancel), conn.transaction():
                conn.execute(
                    "select set_config('role', 'postgres', true), set_config('statement_timeout', %s, false)",
                    (f"{int(timeout_seconds * 1000)}ms",),
                )
                yield conn
        except psycopg.errors.QueryCanceled:
            if not fired.is_set():
                raise  # PostgreSQL's own statement timeout: its message says so
            raise Problem(
                400,
                "Failed to run sql query: ERROR:  57014: canceling statement due to statement timeout"
                f" (the query ran longer than {timeout_seconds:g} s)",
            ) from None
        finally:
            if fired.is_set():
                conn.close()  # the pool replaces it: no cancel of ours can be pending on it


def refuse_transaction_control(query: str) -> bool:
    """Refuse (400) COMMIT, ROLLBACK and the like, which would end the read-only transaction.

    Returns whether the text parsed; text the parser cannot read is then run as one
    statement in the extended protocol, where a second statement cannot follow."""
    try:
        import pglast

        statements = pglast.parse_sql(query)
    except Exception:
        return False
    for raw in statements:
        require(
            type(raw.stmt).__name__ != "TransactionStmt",
            "Transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT ...) is not allowed in a read-only query:"
            " each query runs in a read-only transaction of its own",
        )
    return True


def _check_query(body: Mapping[str, Any], *, allow_read_only: bool) -> tuple[str, list[Any] | None, bool]:
    allowed = {"query", "parameters", "read_only"} if allow_read_only else {"query", "parameters"}
    unknown = sorted(set(body) - allowed)
    require(not unknown, f"property {', '.join(unknown)} should not exist")
    query = body.get("query")
    require(isinstance(query, str) and len(query) > 0, "query is required: a non-empty string")
    require(len(str(query)) <= MAX_QUERY_LENGTH, f"query must be at most {MAX_QUERY_LENGTH} characters")
    require("\x00" not in str(query), "query must not contain NUL characters")
    parameters = body.get("parameters")
    require(parameters is None or isinstance(parameters, list), "parameters must be an array")
    read_only = body.get("read_only", False)
    require(isinstance(read_only, bool), "read_only must be a boolean")
    return str(query), parameters, bool(read_only)


def _bind(value: Any) -> Any:
    # JSON objects and arrays go in as jsonb-compatible text; PostgreSQL casts as the SQL says.
    return json.dumps(value) if isinstance(value, (dict, list)) else value


def run_query(
    instances: Instances,
    ref: str,
    body: Mapping[str, Any],
    *,
    force_read_only: bool,
    timeout_seconds: float,
    log: StatementLog | None = None,
) -> list[dict[str, Any]]:
    """The rows of the last statement, each an object by column name (``[]`` for none)."""
    query, parameters, read_only = _check_query(body, allow_read_only=not force_read_only)
    read_only = read_only or force_read_only
    one_statement = read_only and not refuse_transaction_control(query)
    shown = redact(query)
    sql_logger.info("query on %s (read_only=%s): %s", ref, read_only, shown)
    try:
        with (
            _logged(log, ref, shown) as statement_starts,
            project_transaction(instances, ref, read_only=read_only, timeout_seconds=timeout_seconds) as conn,
        ):
            statement_starts()
            if parameters:
                # $1, $2... as the API takes them: a raw cursor sends them as PostgreSQL does.
                cursor: psycopg.Cursor[Any] = psycopg.RawCursor(conn)
                cursor.execute(query.encode(), [_bind(value) for value in parameters])
            else:
                cursor = conn.cursor()
                # Read-only text the parser could not read goes as one prepared statement: no
                # second statement (a COMMIT) can follow it.
                cursor.execute(query.encode(), prepare=one_statement or None)
            last: list[dict[str, Any]] = []
            while True:
                if cursor.description is not None:
                    names = [column.name for column in cursor.description]
                    last = [
                        dict(zip(names, (json_value(value) for value in row), strict=False))
                        for row in cursor.fetchall()
                    ]
                else:
                    last = []
                if not cursor.nextset():
                    break
            return last
    except psycopg.Error as exc:
        if isinstance(exc, psycopg.OperationalError) and exc.diag.sqlstate is None:
            raise Problem(400, f"Failed to run sql query: {exc}") from None
        raise Problem(400, "Failed to run sql query: " + postgres_message(exc, query)) from None


# Migrations


def _split(text: str) -> list[str]:
    """The statements of a migration, as the CLI records them (one item when unparsable)."""
    try:
        import pglast

        parts = [part.strip() for part in pglast.split(text)]
        return [part for part in parts if part] or [text]
    except Exception:
        return [text]


def list_migrations(instances: Instances, ref: str) -> list[dict[str, Any]]:
    with project_transaction(instances, ref) as conn:
        rows = conn.execute(
            "select version, name from supabase_migrations.schema_migrations order by version"
        ).fetchall()
    return [{"version": version, **({"name": name} if name is not None else {})} for version, name in rows]


def get_migration(instances: Instances, ref: str, version: str) -> dict[str, Any]:
    require(version.isdigit(), f"version must be digits, not {version!r}")
    with project_transaction(instances, ref) as conn:
        row = conn.execute(
            "select version, name, statements, rollback, created_by, idempotency_key"
            " from supabase_migrations.schema_migrations where version = %s",
            (version,),
        ).fetchone()
    if row is None:
        raise Problem(404, f"Migration {version} not found")
    keys = ("version", "name", "statements", "rollback", "created_by", "idempotency_key")
    return {key: value for key, value in zip(keys, row, strict=False) if value is not None}


def _next_version(conn: psycopg.Connection[Any]) -> str:
    """Now (UTC, to the second), or one past the latest when that is not later."""
    now = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    row = conn.execute(
        "select max(version) from supabase_migrations.schema_migrations where version ~ '^[0-9]{14}$'"
    ).fetchone()
    latest = row[0] if row else None
    if latest and latest >= now:
        return str(int(latest) + 1)
    return now


def apply_migration(
    instances: Instances,
    ref: str,
    body: Mapping[str, Any],
    *,
    idempotency_key: str | None,
    timeout_seconds: float,
    log: StatementLog | None = None,
) -> None:
    """Run the migration and record it, in one transaction: a failure leaves nothing behind."""
    unknown = sorted(set(body) - {"query", "name", "rollback"})
    require(not unknown, f"property {', '.join(unknown)} should not exist")
    query, name, rollback = body.get("query"), body.get("name"), body.get("rollback")
    require(isinstance(query, str) and len(query) > 0, "query is required: a non-empty string")
    require(name is None or isinstance(name, str), "name must be a string")
    require(rollback is None or isinstance(rollback, str), "rollback must be a string")
    for field, value in (("query", query), ("name", name), ("rollback", rollback)):
        require(value is None or "\x00" not in value, f"{field} must not contain NUL characters")
    shown = redact(str(query))
    sql_logger.info("migration on %s (%s): %s", ref, name or "unnamed", shown)
    try:
        with (
            _logged(log, ref, shown) as statement_starts,
            project_transaction(instances, ref, timeout_seconds=timeout_seconds) as conn,
        ):
            statement_starts()
            if idempotency_key:
                seen = conn.execute(
                    "select 1 from supabase_migrations.schema_migrations where idempotency_key = %s", (idempotency_key,)
                ).fetchone()
                if seen:
                    return  # the same request again: applied once already
            conn.execute(str(query).encode())
            conn.execute(
                "insert into supabase_migrations.schema_migrations"
                " (version, name, statements, rollback, created_by, idempotency_key) values (%s, %s, %s, %s, %s, %s)",
                (
                    _next_version(conn),
                    name or None,
                    _split(str(query)),
                    _split(rollback) if rollback else None,
                    "platformkit",
                    idempotency_key,
                ),
            )
    except psycopg.Error as exc:
        raise Problem(400, "Failed to run migration: " + postgres_message(exc, str(query))) from None


def rollback_migrations(instances: Instances, ref: str, gte: str | None, *, timeout_seconds: float) -> None:
    """Undo every migration from ``gte`` on, newest first, with its recorded rollback; all or
    nothing, and refused when one of them has no rollback recorded."""
    require(bool(gte) and str(gte).isdigit(), "gte is required: a migration version (digits)")
    try:
        with project_transaction(instances, ref, timeout_seconds=timeout_seconds) as conn:
            rows = conn.execute(
                "select version, rollback from supabase_migrations.schema_migrations"
                " where version >= %s order by version desc for update",
                (gte,),
            ).fetchall()
            require(bool(rows), f"No migration at or after version {gte}", status=404)
            missing = [version for version, rollback in rows if not rollback]
            require(not missing, f"No rollback recorded for migration(s) {', '.join(missing)}: nothing was rolled back")
            for version, rollback in rows:
                for statement in rollback:
                    conn.execute(statement.encode())
                conn.execute("delete from supabase_migrations.schema_migrations where version = %s", (version,))
    except psycopg.Error as exc:
        raise Problem(400, "Failed to roll back: " + postgres_message(exc, "")) from None


def migrations_with_statements(
    conn: psycopg.Connection[Any],
) -> list[tuple[str, str | None, list[str], list[str] | None]]:
    return conn.execute(
        "select version, name, coalesce(statements, '{}'), rollback"
        " from supabase_migrations.schema_migrations order by version"
    ).fetchall()
