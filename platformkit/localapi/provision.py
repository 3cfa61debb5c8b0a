"""A project's real database: created, laid out as Supabase lays one out, paused, dropped.

Each project is a database ``project_<ref>`` owned by the login role ``postgres.<ref>`` (the
name Supabase's pooler uses), whose password is the project's ``db_pass``.
"""

from __future__ import annotations

import os
import secrets
import threading

import psycopg
from psycopg import sql

from .layout import API_ROLES_SQL, PROJECT_SQL


def database_name(ref: str) -> str:
    return f"project_{ref}"


def owner_role(ref: str) -> str:
    return f"postgres.{ref}"


def sql_role(ref: str) -> str:
    """The login role the API's SQL runs under: not a superuser, a NOINHERIT member of the
    owner role it switches to. Whatever a query does (``RESET ROLE``, ``COMMIT``, ``set_config``)
    it cannot become more than the project's owner."""
    return f"platformkit_sql.{ref}"


# libpq's environment variables for the connection keywords the client tools take.
_LIBPQ_ENV = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
}


def tool_environment(database_url: str, ref: str) -> dict[str, str]:
    """pg_dump / pg_restore / psql reach the project's database through the environment, so
    the superuser's password never shows on a command line (``ps`` shows those to everyone)."""
    params = psycopg.conninfo.conninfo_to_dict(psycopg.conninfo.make_conninfo(database_url, dbname=database_name(ref)))
    unknown = sorted(set(params) - set(_LIBPQ_ENV))
    if unknown:
        raise ValueError(
            f"connection keywords the PostgreSQL tools cannot take from the environment: {', '.join(unknown)}"
        )
    return {**os.environ, **{_LIBPQ_ENV[key]: str(value) for key, value in params.items() if value is not None}}


# A project's owner may ``ALTER DATABASE ... SET search_path``: a superuser session in its
# database must resolve nothing through the tenant's schemas (an aggregate named ``count`` in
# ``public`` would otherwise run with superuser rights).
SAFE_SEARCH_PATH = "-c search_path=pg_catalog,pg_temp"


def superuser(database_url: str, dbname: str | None = None, **options: object) -> psycopg.Connection:
    if dbname:
        conninfo = psycopg.conninfo.make_conninfo(database_url, dbname=dbname, options=SAFE_SEARCH_PATH)
    else:
        conninfo = database_url
    return psycopg.connect(conninfo, autocommit=True, **options)  # type: ignore[arg-type]


def create_database(database_url: str, ref: str, db_pass: str) -> None:
    """The owner role (with ``db_pass``) and its empty database: quick, so done while the
    create request waits, and the password works as soon as the ref is handed out."""
    owner = sql.Identifier(owner_role(ref))
    with superuser(database_url) as conn:
        conn.execute(API_ROLES_SQL)
        conn.execute(sql.SQL("create role {} login createrole password {}").format(owner, sql.Literal(db_pass)))
        conn.execute(sql.SQL("grant anon, authenticated, service_role to {}").format(owner))
        conn.execute(sql.SQL("create database {} owner {}").format(sql.Identifier(database_name(ref)), owner))
    forget_sql_role(ref)
    _sql_role_password(database_url, ref)  # made (and the database confined) now, before anyone knows the ref


def confine_connections(conn: psycopg.Connection, ref: str) -> None:
    """Only the project's owner (and its SQL role) may connect to its database. PostgreSQL lets
    PUBLIC connect to every database, and the API roles every owner belongs to are shared."""
    database = sql.Identifier(database_name(ref))
    conn.execute(sql.SQL("revoke connect on database {} from public").format(database))
    if conn.execute("select 1 from pg_roles where rolname = %s", (sql_role(ref),)).fetchone():
        conn.execute(sql.SQL("grant connect on database {} to {}").format(database, sql.Identifier(sql_role(ref))))


def lay_out(database_url: str, ref: str) -> None:
    """The Supabase schemas, tables and grants inside the project's database: idempotent, all
    or nothing (one transaction), and one server at a time (two may resume the same project)."""
    with superuser(database_url, database_name(ref)) as conn, conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('platformkit.localapi.layout'))")
        conn.execute(sql.SQL(PROJECT_SQL).format(owner=sql.Identifier(owner_role(ref))))


def drop(database_url: str, ref: str) -> None:
    with superuser(database_url) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(database_name(ref))))
        conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(sql_role(ref))))
        conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(owner_role(ref))))
    forget_sql_role(ref)


def allow_connections(database_url: str, ref: str, allowed: bool) -> None:
    """Pausing refuses new connections and ends the open ones; restoring lets them in again."""
    with superuser(database_url) as conn:
        conn.execute(
            sql.SQL("alter database {} allow_connections {}").format(
                sql.Identifier(database_name(ref)), sql.Literal(allowed)
            )
        )
        if not allowed:
            conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
                (database_name(ref),),
            )


def connection_problem(database_url: str, ref: str) -> str | None:
    """Really connect to the project's database: ``None`` when it answers, else why not."""
    try:
        with superuser(database_url, database_name(ref), connect_timeout=3) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        # Keep PostgreSQL's own reason (after "FATAL:"), not the socket path before it.
        text = str(exc).strip()
        return text.rpartition("FATAL:")[2].strip() or type(exc).__name__
    return None


def server_version(database_url: str) -> str:
    with superuser(database_url) as conn:
        row = conn.execute("show server_version").fetchone()
    return str(row[0]).split()[0] if row else ""


_sql_passwords: dict[str, str] = {}
_sql_passwords_lock = threading.Lock()


def forget_sql_role(ref: str) -> None:
    with _sql_passwords_lock:
        _sql_passwords.pop(ref, None)


def _sql_role_password(database_url: str, ref: str, *, failed: str | None = None) -> str:
    """The SQL role's password, known to this process only: (re)set by the superuser the first
    time this process needs it, or when ``failed`` stopped working (another process, or a query
    that changed its own password) and no other thread has renewed it meanwhile."""
    with _sql_passwords_lock:
        if ref in _sql_passwords and _sql_passwords[ref] != failed:
            return _sql_passwords[ref]
        password = secrets.token_urlsafe(32)
        role, owner = sql.Identifier(sql_role(ref)), sql.Identifier(owner_role(ref))
        with superuser(database_url) as conn, conn.transaction():
            conn.execute("select pg_advisory_xact_lock(hashtext('platformkit.localapi.sql_role'))")
            ours = _sql_role_is_ours(conn, ref)
            if ours is False:
                # Made by someone else (an owner has CREATEROLE and can see every database's
                # name): it could be administered by them, so it is replaced, never adopted.
                conn.execute(sql.SQL("drop role {}").format(role))
            if ours:
                conn.execute(sql.SQL("alter role {} password {}").format(role, sql.Literal(password)))
            else:
                conn.execute(sql.SQL("create role {} login noinherit password {}").format(role, sql.Literal(password)))
                conn.execute(sql.SQL("grant {} to {}").format(owner, role))
                # log_statement is a superuser setting: given to the role, not SET by a session.
                conn.execute(sql.SQL("alter role {} set log_statement = 'all'").format(role))
            confine_connections(conn, ref)
        _sql_passwords[ref] = password
        return password


def _sql_role_is_ours(conn: psycopg.Connection, ref: str) -> bool | None:
    """Whether the SQL role is as the local API makes it (a plain login role, member of the
    owner only, and nobody a member, so nobody holds ADMIN over it); ``None`` when missing."""
    row = conn.execute(
        "select r.rolsuper or r.rolcreaterole or r.rolcreatedb or r.rolreplication or r.rolbypassrls or r.rolinherit,"
        " array(select g.rolname from pg_auth_members m join pg_roles g on g.oid = m.roleid where m.member = r.oid),"
        " exists(select 1 from pg_auth_members m where m.roleid = r.oid)"
        " from pg_roles r where r.rolname = %s",
        (sql_role(ref),),
    ).fetchone()
    if row is None:
        return None
    return not row[0] and row[1] == [owner_role(ref)] and not row[2]


def sql_connection(database_url: str, ref: str, **options: object) -> psycopg.Connection:
    """A connection to the project's database as its SQL role (see :func:`sql_role`)."""
    failed: str | None = None
    for attempt in range(2):
        password = _sql_role_password(database_url, ref, failed=failed)
        conninfo = psycopg.conninfo.make_conninfo(
            database_url, dbname=database_name(ref), user=sql_role(ref), password=password
        )
        try:
            return psycopg.connect(conninfo, **options)  # type: ignore[arg-type]
        except psycopg.OperationalError as exc:
            if attempt or "password authentication failed" not in str(exc):
                raise
            failed = password
    raise AssertionError("unreachable")
