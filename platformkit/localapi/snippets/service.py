"""SQL snippets, stored for real in the control database.

The Management API only reads snippets (the dashboard's SQL editor writes them upstream);
the local API also takes ``POST /v1/snippets`` and ``DELETE /v1/snippets/{id}`` so there is a
way to make some (a local extension, listed in docs/client-compatibility.md). Every snippet
belongs to a project and to the token's one user."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from platformkit.localapi import validation
from platformkit.localapi.control import ControlTables, one_row
from platformkit.localapi.errors import Problem, require
from platformkit.localapi.store import ProjectRow

SCHEMA_SQL = """
create table if not exists snippets (
    id uuid primary key,
    project_ref text not null,
    name text not null,
    description text,
    visibility text not null default 'user',
    favorite boolean not null default false,
    sql text not null,
    inserted_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index if not exists snippets_project on snippets (project_ref);
"""
OWNER = {"id": 1, "username": "local"}  # the one user a local token stands for
VISIBILITIES = ("user", "project", "org", "public")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SORTS = {"name": "name", "inserted_at": "inserted_at"}


class Snippets(ControlTables):
    SCHEMA_SQL = SCHEMA_SQL

    def __init__(self, control_url: str, project: Callable[[str], ProjectRow]) -> None:
        super().__init__(control_url)
        self._project = project

    def _shape(self, row: Mapping[str, Any], *, content: bool) -> dict[str, Any] | None:
        try:
            project = self._project(row["project_ref"])
        except Problem:
            return None  # its project is gone, and so is the snippet
        out = {
            "id": str(row["id"]),
            "inserted_at": row["inserted_at"].isoformat(),
            "updated_at": row["updated_at"].isoformat(),
            "type": "sql",
            "visibility": row["visibility"],
            "name": row["name"],
            "description": row["description"],
            "project": {"id": project.id, "name": project.name},
            "owner": OWNER,
            "updated_by": OWNER,
            "favorite": row["favorite"],
        }
        if content:
            out["content"] = {"schema_version": "1.0", "sql": row["sql"], "favorite": row["favorite"]}
        return out

    def list(self, params: Mapping[str, str]) -> dict[str, Any]:
        """``SnippetList``: newest first unless ``sort_by``/``sort_order`` say otherwise; ``cursor``
        is the opaque position the previous page answered."""
        ref = params.get("project_ref")
        if ref:
            validation.check_ref(ref)
            self._project(ref)
        limit = validation.int_param(params, "limit", 100, 1, 100)
        sort = SORTS[validation.choice_param(params, "sort_by", tuple(SORTS), "inserted_at") or "inserted_at"]
        order = validation.choice_param(params, "sort_order", ("asc", "desc"), "desc")
        offset = _offset(params.get("cursor"))
        with self._connect() as conn:
            rows = conn.execute(
                f"select * from snippets where (%(ref)s::text is null or project_ref = %(ref)s)"  # noqa: S608 - sort and order are from fixed lists
                f" order by {sort} {order}, id offset %(offset)s limit %(limit)s",
                {"ref": ref or None, "offset": offset, "limit": limit + 1},
            ).fetchall()
        shaped = [s for s in (self._shape(row, content=False) for row in rows[:limit]) if s is not None]
        out: dict[str, Any] = {"data": shaped}
        if len(rows) > limit:
            out["cursor"] = base64.urlsafe_b64encode(str(offset + limit).encode()).decode()
        return out

    def get(self, snippet_id: str) -> dict[str, Any]:
        require(bool(UUID.match(snippet_id)), f"id must be a UUID, not {snippet_id!r}")
        with self._connect() as conn:
            row = conn.execute("select * from snippets where id = %s", (snippet_id,)).fetchone()
        shaped = self._shape(row, content=True) if row else None
        if shaped is None:
            raise Problem(404, f"Snippet {snippet_id} not found")
        return shaped

    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(body) - {"project_ref", "name", "sql", "description", "visibility", "favorite"})
        require(not unknown, f"property {', '.join(unknown)} should not exist")
        ref, name, text = body.get("project_ref"), body.get("name"), body.get("sql")
        require(isinstance(ref, str), "project_ref is required: a project ref")
        validation.check_ref(str(ref))
        self._project(str(ref))
        for field, value in (("name", name), ("sql", text)):
            require(isinstance(value, str) and value != "", f"{field} is required: a non-empty string")
            require("\x00" not in str(value), f"{field} must not contain NUL characters")
        require(len(str(name)) <= 256, "name must be at most 256 characters long")
        description = body.get("description")
        require(description is None or isinstance(description, str), "description must be a string")
        visibility = body.get("visibility", "user")
        require(visibility in VISIBILITIES, f"visibility must be one of {', '.join(VISIBILITIES)}")
        favorite = body.get("favorite", False)
        require(isinstance(favorite, bool), "favorite must be a boolean")
        with self._connect() as conn:
            row = one_row(
                conn.execute(
                    "insert into snippets (id, project_ref, name, description, visibility, favorite, sql)"
                    " values (%s, %s, %s, %s, %s, %s, %s) returning *",
                    (uuid.uuid4(), ref, name, description, visibility, favorite, text),
                )
            )
        return self._shape(row, content=True) or {}

    def delete(self, snippet_id: str) -> dict[str, Any]:
        found = self.get(snippet_id)
        with self._connect() as conn:
            conn.execute("delete from snippets where id = %s", (snippet_id,))
        return found

    def forget(self, ref: str) -> None:
        with self._connect() as conn:
            conn.execute("delete from snippets where project_ref = %s", (ref,))


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise Problem(400, "cursor is not one this API answered") from None
    require(offset >= 0, "cursor is not one this API answered")
    return offset
