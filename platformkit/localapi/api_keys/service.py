"""API keys per project, shaped as the real API answers: new ``publishable`` / ``secret`` keys
(``sb_publishable_...`` / ``sb_secret_...``), and the legacy ``anon`` / ``service_role`` JWTs
(HS256, signed with a per-project JWT secret kept here). Secret values are masked unless the
caller passes ``reveal=true``. (An emulator: values sit in the control database in plain text.)
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Mapping
from typing import Any

from psycopg.types.json import Jsonb

from platformkit.localapi.control import ControlTables, one_row
from platformkit.localapi.errors import Problem, require

SCHEMA_SQL = """
create table if not exists api_keys (
    id uuid primary key,
    ref text not null,
    type text not null,
    name text not null,
    description text,
    secret_jwt_template jsonb,
    api_key text not null,
    inserted_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create table if not exists project_jwt_secrets (ref text primary key, secret text not null);
"""
NAME = re.compile(r"^[a-z_][a-z0-9_]+$")  # CreateApiKeyBody.name


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_jwt(claims: Mapping[str, Any], secret: str) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(dict(claims), separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def masked(value: str) -> str:
    return value[:15] + "·" * 8


class ApiKeys(ControlTables):
    SCHEMA_SQL = SCHEMA_SQL

    def jwt_secret(self, ref: str) -> str:
        with self._connect() as conn:
            conn.execute(
                "insert into project_jwt_secrets (ref, secret) values (%s, %s) on conflict do nothing",
                (ref, secrets.token_urlsafe(32)),
            )
            return str(one_row(conn.execute("select secret from project_jwt_secrets where ref = %s", (ref,)))["secret"])

    def list(self, ref: str, reveal: bool) -> builtins.list[dict[str, Any]]:
        with self._connect() as conn:
            rows = conn.execute("select * from api_keys where ref = %s order by inserted_at", (ref,)).fetchall()
        return self._legacy(ref, reveal) + [_shape(row, reveal) for row in rows]

    def get(self, ref: str, key_id: str, reveal: bool) -> dict[str, Any]:
        return _shape(self._row(ref, key_id), reveal)

    def create(self, ref: str, body: Mapping[str, Any], reveal: bool) -> dict[str, Any]:
        require(
            set(body) <= {"type", "name", "description", "secret_jwt_template"},
            f"Unknown fields: {', '.join(sorted(set(body) - {'type', 'name', 'description', 'secret_jwt_template'}))}",
        )
        kind, name = body.get("type"), body.get("name")
        require(kind in ("publishable", "secret"), "type must be 'publishable' or 'secret'")
        require(
            isinstance(name, str) and 4 <= len(name) <= 64 and bool(NAME.match(name)),
            "name must be 4 to 64 characters matching ^[a-z_][a-z0-9_]+$",
        )
        template = body.get("secret_jwt_template")
        require(template is None or isinstance(template, dict), "secret_jwt_template must be an object")
        require(template is None or kind == "secret", "secret_jwt_template is for secret keys only")
        description = body.get("description")
        require(description is None or isinstance(description, str), "description must be a string")
        value = f"sb_{kind}_{secrets.token_urlsafe(24)}"
        with self._connect() as conn:
            row = one_row(
                conn.execute(
                    "insert into api_keys (id, ref, type, name, description, secret_jwt_template, api_key)"
                    " values (%s, %s, %s, %s, %s, %s, %s) returning *",
                    (
                        uuid.uuid4(),
                        ref,
                        kind,
                        name,
                        description,
                        Jsonb(template) if template is not None else None,
                        value,
                    ),
                )
            )
        return _shape(row, reveal)

    def delete(self, ref: str, key_id: str, reveal: bool) -> dict[str, Any]:
        row = self._row(ref, key_id)
        with self._connect() as conn:
            conn.execute("delete from api_keys where id = %s", (row["id"],))
        return _shape(row, reveal)

    def forget(self, ref: str) -> None:
        with self._connect() as conn:
            conn.execute("delete from api_keys where ref = %s", (ref,))
            conn.execute("delete from project_jwt_secrets where ref = %s", (ref,))

    def _row(self, ref: str, key_id: str) -> dict[str, Any]:
        try:
            parsed = uuid.UUID(key_id)
        except ValueError:
            raise Problem(404, f"API key {key_id} not found") from None
        with self._connect() as conn:
            row = conn.execute("select * from api_keys where ref = %s and id = %s", (ref, parsed)).fetchone()
        if row is None:
            raise Problem(404, f"API key {key_id} not found")
        return row

    def _legacy(self, ref: str, reveal: bool) -> builtins.list[dict[str, Any]]:
        secret, now = self.jwt_secret(ref), int(time.time())
        keys = []
        for role in ("anon", "service_role"):
            token = sign_jwt(
                {
                    "iss": "supabase",
                    "ref": ref,
                    "role": role,
                    "iat": now - now % 86400,
                    "exp": now - now % 86400 + 10 * 365 * 86400,
                },
                secret,
            )
            shown = token if reveal or role == "anon" else masked(token)
            keys.append(
                {
                    "name": role,
                    "api_key": shown,
                    "id": role,
                    "type": "legacy",
                    "prefix": None,
                    "description": None,
                    "hash": None,
                    "secret_jwt_template": None,
                    "inserted_at": None,
                    "updated_at": None,
                }
            )
        return keys


def _shape(row: Mapping[str, Any], reveal: bool) -> dict[str, Any]:
    """``ApiKeyResponse``: secret keys masked unless revealed; publishable keys are public."""
    value = str(row["api_key"])
    secret = row["type"] == "secret"
    return {
        "name": row["name"],
        "id": str(row["id"]),
        "type": row["type"],
        "api_key": masked(value) if secret and not reveal else value,
        "prefix": value[:15],
        "description": row["description"],
        "hash": hashlib.sha256(value.encode()).hexdigest() if secret else None,
        "secret_jwt_template": row["secret_jwt_template"],
        "inserted_at": row["inserted_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }


def verify_jwt(token: str, secret: str) -> dict[str, Any] | None:
    """The claims of an HS256 JWT signed with ``secret`` and not expired, else None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    header, payload, signature = parts
    expected = _b64(hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature):
        return None
    try:
        head = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    if not isinstance(head, dict) or head.get("alg") != "HS256" or not isinstance(claims, dict):
        return None
    exp = claims.get("exp")
    if exp is not None and (not isinstance(exp, (int, float)) or exp < time.time()):
        return None
    return claims
