"""Edge Function secrets per project, as the real API keeps them: names and values go in,
only the name and a SHA-256 digest of the value ever come out. The local API stores the digest
alone (there is nothing here that needs the value)."""

from __future__ import annotations

import builtins
import hashlib
import re
from typing import Any

from platformkit.localapi import jsondata
from platformkit.localapi.control import ControlTables
from platformkit.localapi.errors import require

SCHEMA_SQL = """
create table if not exists secrets (
    ref text not null,
    name text not null,
    digest text not null,
    updated_at timestamptz not null default now(),
    primary key (ref, name)
);
"""
NAME_MAX, VALUE_MAX = 256, 24576  # CreateSecretBody
RESERVED = re.compile(r"^SUPABASE_")


def array_body(raw: bytes) -> list[Any]:
    parsed = jsondata.parse(raw or b"null")
    require(isinstance(parsed, list), "Request body must be a JSON array")
    return parsed


class Secrets(ControlTables):
    SCHEMA_SQL = SCHEMA_SQL

    def list(self, ref: str) -> builtins.list[dict[str, Any]]:
        with self._connect() as conn:
            rows = conn.execute(
                "select name, digest, updated_at from secrets where ref = %s order by name", (ref,)
            ).fetchall()
        return [{"name": r["name"], "value": r["digest"], "updated_at": r["updated_at"].isoformat()} for r in rows]

    def create(self, ref: str, items: builtins.list[Any]) -> None:
        require(bool(items), 'Give at least one secret: [{"name": ..., "value": ...}]')
        clean: dict[str, str] = {}
        for index, item in enumerate(items):
            require(
                isinstance(item, dict) and set(item) == {"name", "value"},
                f"[{index}] must be an object with exactly name and value",
            )
            name, value = item["name"], item["value"]
            require(
                isinstance(name, str) and 0 < len(name) <= NAME_MAX,
                f"[{index}].name must be a string of 1 to {NAME_MAX} characters",
            )
            require(
                not RESERVED.match(name),
                f"[{index}].name: Secret name must not start with the SUPABASE_ prefix ({name})",
            )
            require(
                isinstance(value, str) and len(value) <= VALUE_MAX,
                f"[{index}].value must be a string of at most {VALUE_MAX} characters",
            )
            require("\x00" not in name + value, f"[{index}]: NUL characters are not allowed")
            clean[name] = hashlib.sha256(value.encode()).hexdigest()
        with self._connect() as conn:
            for name, digest in clean.items():
                conn.execute(
                    "insert into secrets (ref, name, digest) values (%s, %s, %s)"
                    " on conflict (ref, name) do update set digest = excluded.digest, updated_at = now()",
                    (ref, name, digest),
                )

    def delete(self, ref: str, names: builtins.list[Any]) -> None:
        require(
            bool(names) and all(isinstance(name, str) for name in names),
            "Request body must be a non-empty array of secret names",
        )
        with self._connect() as conn:
            conn.execute("delete from secrets where ref = %s and name = any(%s)", (ref, names))

    def forget(self, ref: str) -> None:
        with self._connect() as conn:
            conn.execute("delete from secrets where ref = %s", (ref,))
