"""The local API's own records (organizations, projects) in a control database, so they
survive a restart of the server. Times are the database's, so every server agrees on them."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from . import catalog

SCHEMA_SQL = """
create table if not exists organizations (
  slug text primary key,
  name text not null,
  created_at timestamptz not null default now()
);
create table if not exists projects (
  ref text primary key,
  organization_slug text not null references organizations (slug),
  name text not null,
  region text not null,
  instance_size text not null,
  status text not null,
  -- A passing state (COMING_UP, PAUSING, RESTORING) settles into next_status at settles_at.
  next_status text,
  settles_at timestamptz,
  created_at timestamptz not null default now(),
  deleted_at timestamptz
);
"""

DEFAULT_ORGANIZATION = ("Local organization", "localorganization")


def random_ref(length: int = 20) -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(length))


@dataclass(frozen=True)
class ProjectRow:
    ref: str
    organization_slug: str
    name: str
    region: str
    instance_size: str
    status: str
    created_at: datetime


class Store:
    def __init__(self, database_url: str, control_db: str) -> None:
        self._server_url = database_url
        self._url = psycopg.conninfo.make_conninfo(database_url, dbname=control_db)
        self._control_db = control_db

    def migrate(self) -> None:
        """Create the control database and its tables if missing (idempotent)."""
        with psycopg.connect(self._server_url, autocommit=True) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", (self._control_db,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(self._control_db)))
        with self._connect() as conn:
            conn.execute(SCHEMA_SQL)
            name, slug = DEFAULT_ORGANIZATION
            conn.execute("insert into organizations (slug, name) values (%s, %s) on conflict do nothing", (slug, name))

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        with psycopg.connect(self._url, row_factory=dict_row) as conn:
            yield conn

    # Organizations

    def organizations(self) -> list[dict[str, Any]]:
        with self._connect() as conn:
            return conn.execute("select slug, name, created_at from organizations order by created_at, slug").fetchall()

    def organization(self, slug: str) -> dict[str, Any] | None:
        with self._connect() as conn:
            return conn.execute("select slug, name from organizations where slug = %s", (slug,)).fetchone()

    def create_organization(self, name: str) -> dict[str, Any]:
        with self._connect() as conn:
            return conn.execute(  # type: ignore[return-value]
                "insert into organizations (slug, name) values (%s, %s) returning slug, name", (random_ref(), name)
            ).fetchone()

    # Projects

    def _settle(self, conn: psycopg.Connection[dict[str, Any]]) -> None:
        conn.execute(
            "update projects set status = next_status, next_status = null, settles_at = null"
            " where next_status is not null and settles_at <= now()"
        )

    def projects(self, organization_slug: str | None = None) -> list[ProjectRow]:
        with self._connect() as conn:
            self._settle(conn)
            rows = conn.execute(
                "select ref, organization_slug, name, region, instance_size, status, created_at from projects"
                " where deleted_at is null and (%(org)s::text is null or organization_slug = %(org)s)"
                " order by created_at, ref",
                {"org": organization_slug},
            ).fetchall()
        return [ProjectRow(**row) for row in rows]

    def project(self, ref: str) -> ProjectRow | None:
        with self._connect() as conn:
            self._settle(conn)
            row = conn.execute(
                "select ref, organization_slug, name, region, instance_size, status, created_at from projects"
                " where ref = %s and deleted_at is null",
                (ref,),
            ).fetchone()
        return ProjectRow(**row) if row else None

    def add_project(self, *, ref: str, organization_slug: str, name: str, region: str, instance_size: str) -> None:
        with self._connect() as conn:
            conn.execute(
                "insert into projects (ref, organization_slug, name, region, instance_size, status)"
                " values (%s, %s, %s, %s, %s, %s)",
                (ref, organization_slug, name, region, instance_size, catalog.COMING_UP),
            )

    def set_status(self, ref: str, status: str, *, then: str | None = None, after_seconds: float = 0.0) -> None:
        """Set ``status`` now; with ``then``, it becomes ``then`` after ``after_seconds``."""
        with self._connect() as conn:
            conn.execute(
                "update projects set status = %s, next_status = %s,"
                " settles_at = case when %s::text is null then null else now() + make_interval(secs => %s) end"
                " where ref = %s",
                (status, then, then, after_seconds, ref),
            )

    def rename_project(self, ref: str, name: str) -> None:
        with self._connect() as conn:
            conn.execute("update projects set name = %s where ref = %s", (name, ref))

    def mark_deleted(self, ref: str) -> None:
        with self._connect() as conn:
            conn.execute("update projects set deleted_at = now(), status = 'REMOVED' where ref = %s", (ref,))

    def numeric_id(self, ref: str) -> int:
        """``V1ProjectRefResponse.id`` is an integer: a stable number for the ref."""
        return int.from_bytes(ref.encode()[:6], "big") % 2_000_000_000
