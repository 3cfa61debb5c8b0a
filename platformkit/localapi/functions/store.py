"""Deployed functions per project ref (a branch has its own): records in the control
database, each version's bundle on disk (``<functions dir>/<ref>/<slug>/<version>.zip``)."""

from __future__ import annotations

import builtins
import re
import shutil
import time
import uuid
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb

from platformkit.localapi.control import ControlTables
from platformkit.localapi.errors import Problem, require
from platformkit.localapi.store import ProjectRow

from .bundle import Bundle

SLUG = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
SETTINGS = ("name", "verify_jwt", "entrypoint_path", "import_map_path")


def _now_ms() -> int:
    return int(time.time() * 1000)


def deployment_id(ref: str, function_id: Any, version: int) -> str:
    return f"{ref}_{function_id}_{version}"


SOURCE_DIR = "source/"  # where a deployment's files sit under its directory, as upstream


def file_url(ref: str, function_id: Any, version: int, path: str) -> str:
    """A bundle path as the real API answers it: ``file:///tmp/user_fn_<deployment>/source/<path>``
    (the CLI and the MCP server parse it as a file URL; a bare path makes them fail)."""
    return f"file:///tmp/user_fn_{deployment_id(ref, function_id, version)}/{SOURCE_DIR}{path}"


def bundle_path_of(value: str) -> str:
    """The bundle-relative path a caller means: a path as given, or the part of a file URL
    after its deployment's ``source/`` (what :func:`file_url` made, handed back)."""
    if not value.startswith("file://"):
        return value
    path = value.removeprefix("file://")
    marker = "/" + SOURCE_DIR
    if path.startswith("/tmp/user_fn_") and marker in path:
        return path.split(marker, 1)[1]
    return path.lstrip("/")


def shape(row: Mapping[str, Any], ref: str) -> dict[str, Any]:
    """``FunctionResponse``, paths as file URLs."""
    out = {
        key: row[key]
        for key in (
            "id",
            "slug",
            "name",
            "status",
            "version",
            "created_at",
            "updated_at",
            "verify_jwt",
            "entrypoint_path",
            "ezbr_sha256",
        )
    }
    out["id"] = str(row["id"])
    out["entrypoint_path"] = file_url(ref, row["id"], row["version"], row["entrypoint_path"])
    out["import_map"] = bool(row["import_map_path"])
    if row["import_map_path"]:
        out["import_map_path"] = file_url(ref, row["id"], row["version"], row["import_map_path"])
    return out


def check_settings(changes: Mapping[str, Any]) -> None:
    """Each setting's type, before it reaches a column of that type (a dict would be a 500)."""
    if "verify_jwt" in changes:
        require(isinstance(changes["verify_jwt"], bool), "verify_jwt must be a boolean")
    for key in ("name", "entrypoint_path"):
        if key in changes:
            require(isinstance(changes[key], str) and changes[key] != "", f"{key} must be a non-empty string")
    if changes.get("import_map_path") is not None:
        require(isinstance(changes["import_map_path"], str), "import_map_path must be a string")


class Functions(ControlTables):
    SCHEMA_SQL = """
    create table if not exists edge_functions (
        ref text not null,
        slug text not null,
        id uuid not null,
        name text not null,
        status text not null default 'ACTIVE',
        version integer not null,
        verify_jwt boolean not null default true,
        entrypoint_path text not null,
        import_map_path text,
        static_patterns jsonb not null default '[]',
        ezbr_sha256 text not null,
        created_at bigint not null,
        updated_at bigint not null,
        primary key (ref, slug)
    );
    create table if not exists edge_function_versions (
        ref text not null,
        slug text not null,
        version integer not null,
        ezbr_sha256 text not null,
        entrypoint_path text not null,
        files jsonb not null,
        created_at bigint not null,
        primary key (ref, slug, version)
    );
    """

    def __init__(self, control_url: str, directory: Path, project: Callable[[str], ProjectRow]) -> None:
        super().__init__(control_url)
        self.directory = directory
        self._project = project

    # Reading

    def list(self, ref: str) -> builtins.list[dict[str, Any]]:
        self._project(ref)
        with self._connect() as conn:
            rows = conn.execute("select * from edge_functions where ref = %s order by slug", (ref,))
            return [shape(row, ref) for row in rows]

    def row(self, ref: str, slug: str) -> dict[str, Any]:
        self._project(ref)
        with self._connect() as conn:
            found = conn.execute("select * from edge_functions where ref = %s and slug = %s", (ref, slug)).fetchone()
        if found is None:
            raise Problem(404, f"Function {slug} not found")
        return dict(found)

    def get(self, ref: str, slug: str) -> dict[str, Any]:
        return shape(self.row(ref, slug), ref)

    def bundle_path(self, ref: str, slug: str, version: int) -> Path:
        return self.directory / ref / slug / f"{version}.zip"

    def body(self, ref: str, slug: str) -> bytes:
        row = self.row(ref, slug)
        return self.bundle_path(ref, slug, row["version"]).read_bytes()

    def files(self, ref: str, slug: str) -> tuple[dict[str, Any], dict[str, bytes]]:
        """The function's record and its current version's files, by bundle path."""
        row = self.row(ref, slug)
        with zipfile.ZipFile(self.bundle_path(ref, slug, row["version"])) as archive:
            return row, {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}

    def versions(self, ref: str, slug: str) -> builtins.list[dict[str, Any]]:
        with self._connect() as conn:
            return list(
                conn.execute(
                    "select version, ezbr_sha256, entrypoint_path, files, created_at from edge_function_versions"
                    " where ref = %s and slug = %s order by version desc",
                    (ref, slug),
                )
            )

    # Writing

    def deploy(
        self, ref: str, slug: str, bundle: Bundle, metadata: Mapping[str, Any], *, bundle_only: bool = False
    ) -> dict[str, Any]:
        self._project(ref)
        require(bool(SLUG.match(slug)), "slug must start with a letter and hold only letters, digits, '-' and '_'")
        check_settings({key: metadata[key] for key in ("verify_jwt",) if metadata.get(key) is not None})
        now = _now_ms()
        with self._connect() as conn:
            current = conn.execute(
                "select * from edge_functions where ref = %s and slug = %s for update", (ref, slug)
            ).fetchone()
            version = (current["version"] if current else 0) + 1
            values = {
                "id": current["id"] if current else uuid.uuid4(),
                "name": str(metadata.get("name") or (current["name"] if current else slug)),
                "verify_jwt": metadata["verify_jwt"]
                if metadata.get("verify_jwt") is not None
                else (current["verify_jwt"] if current else True),
                "version": version,
                "entrypoint_path": bundle.entrypoint_path,
                "import_map_path": bundle.import_map_path,
                "ezbr_sha256": bundle.checksum,
                "created_at": current["created_at"] if current else now,
                "updated_at": now,
                "status": "ACTIVE",
                "slug": slug,
            }
            if bundle_only:  # checked and bundled, not deployed
                conn.rollback()
                return shape(values, ref)
            target = self.bundle_path(ref, slug, version)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(
                target.with_suffix(""), ignore_errors=True
            )  # files unpacked from an older record of this version
            target.write_bytes(bundle.as_zip())
            conn.execute(
                "insert into edge_functions (ref, slug, id, name, status, version, verify_jwt, entrypoint_path,"
                " import_map_path, static_patterns, ezbr_sha256, created_at, updated_at)"
                " values (%s, %s, %s, %s, 'ACTIVE', %s, %s, %s, %s, %s, %s, %s, %s)"
                " on conflict (ref, slug) do update set name = excluded.name, status = 'ACTIVE',"
                " version = excluded.version, verify_jwt = excluded.verify_jwt,"
                " entrypoint_path = excluded.entrypoint_path, import_map_path = excluded.import_map_path,"
                " static_patterns = excluded.static_patterns, ezbr_sha256 = excluded.ezbr_sha256,"
                " updated_at = excluded.updated_at",
                (
                    ref,
                    slug,
                    values["id"],
                    values["name"],
                    version,
                    values["verify_jwt"],
                    bundle.entrypoint_path,
                    bundle.import_map_path,
                    Jsonb(bundle.static_patterns),
                    values["ezbr_sha256"],
                    values["created_at"],
                    now,
                ),
            )
            conn.execute(
                "insert into edge_function_versions"
                " (ref, slug, version, ezbr_sha256, entrypoint_path, files, created_at)"
                " values (%s, %s, %s, %s, %s, %s, %s)",
                (
                    ref,
                    slug,
                    version,
                    values["ezbr_sha256"],
                    bundle.entrypoint_path,
                    Jsonb([{"path": path, "size": len(content)} for path, content in sorted(bundle.files.items())]),
                    now,
                ),
            )
        return shape(values, ref)

    def update_settings(self, ref: str, slug: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        current = self.row(ref, slug)
        unknown = sorted(set(changes) - set(SETTINGS))
        require(not unknown, f"Unknown function settings: {', '.join(unknown)}")
        check_settings(changes)
        for key in ("entrypoint_path", "import_map_path"):  # handed back as this API answered them
            if isinstance(changes.get(key), str):
                changes = {**changes, key: bundle_path_of(changes[key])}
        with self._connect() as conn:
            merged = {**{key: current[key] for key in SETTINGS}, **changes}
            conn.execute(
                "update edge_functions set name = %s, verify_jwt = %s, entrypoint_path = %s, import_map_path = %s,"
                " updated_at = %s where ref = %s and slug = %s",
                (
                    merged["name"],
                    merged["verify_jwt"],
                    merged["entrypoint_path"],
                    merged["import_map_path"],
                    _now_ms(),
                    ref,
                    slug,
                ),
            )
        return self.get(ref, slug)

    def delete(self, ref: str, slug: str) -> None:
        self.row(ref, slug)
        with self._connect() as conn:
            conn.execute("delete from edge_functions where ref = %s and slug = %s", (ref, slug))
            conn.execute("delete from edge_function_versions where ref = %s and slug = %s", (ref, slug))
        shutil.rmtree(self.directory / ref / slug, ignore_errors=True)

    def forget(self, ref: str) -> None:
        with self._connect() as conn:
            conn.execute("delete from edge_functions where ref = %s", (ref,))
            conn.execute("delete from edge_function_versions where ref = %s", (ref,))
        shutil.rmtree(self.directory / ref, ignore_errors=True)
