"""The claim flow: a project's claim token (stored hashed, one per project, 24 hours), the
receiving organization's preview and claim, and the OAuth authorize step.

Upstream, ``GET /v1/oauth/authorize/project-claim`` sends the end user to Supabase's own UI
(sign in, pick an organization, approve). Locally it redirects to a small stand-in page served
by this API (``/local/project-claim/<request id>``) that does the same with the local
organizations: approving claims the project for the chosen organization and redirects to the
caller's ``redirect_uri`` with ``code`` and ``state``, as the OAuth flow ends."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from platformkit.localapi.control import ControlTables, one_row
from platformkit.localapi.errors import Problem, require
from platformkit.localapi.store import ProjectRow, Store

SCHEMA_SQL = """
create table if not exists claim_tokens (
    ref text primary key,
    token_hash text not null unique,
    token_alias text not null,
    created_by uuid not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null
);
create table if not exists claim_requests (
    id text primary key,
    ref text not null,
    client_id text not null,
    redirect_uri text not null,
    state text,
    expires_at timestamptz not null,
    used_at timestamptz
);
"""
TOKEN_LIFETIME = timedelta(hours=24)
REQUEST_LIFETIME = timedelta(minutes=10)
# Who creates tokens through the local API (its single token stands for one user).
LOCAL_USER = uuid.uuid5(uuid.NAMESPACE_URL, "platformkit-local-management-api")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _shape(row: Mapping[str, Any], token: str | None = None) -> dict[str, Any]:
    out = {
        "token_alias": row["token_alias"],
        "expires_at": row["expires_at"].isoformat(),
        "created_at": row["created_at"].isoformat(),
        "created_by": str(row["created_by"]),
    }
    return {"token": token, **out} if token else out


class Claims(ControlTables):
    SCHEMA_SQL = SCHEMA_SQL

    def __init__(
        self,
        control_url: str,
        store: Store,
        project: Callable[[str], ProjectRow],
        *,
        edge_secrets: Callable[[str], list[dict[str, Any]]],
        config_overrides: Callable[[str], Mapping[str, Mapping[str, Any]]],
    ) -> None:
        """``edge_secrets(ref)`` lists a project's Edge Function secrets, ``config_overrides(ref)``
        its service configuration changed from the defaults: what a claim carries along."""
        super().__init__(control_url)
        self._store = store
        self._project = project
        self._edge_secrets = edge_secrets
        self._config_overrides = config_overrides

    def _customizations(self, ref: str) -> list[dict[str, str]]:
        """What a claimed project carries into its new organization (the claim preview's
        warnings): the seed says to remove custom configuration before a transfer."""
        found = []
        listed = self._edge_secrets(ref)
        if listed:
            found.append(
                {
                    "key": "secrets",
                    "message": f"{len(listed)} Edge Function secret(s): {', '.join(s['name'] for s in listed)}",
                }
            )
        for service, changed in sorted(self._config_overrides(ref).items()):
            if changed:
                found.append(
                    {
                        "key": f"config.{service}",
                        "message": f"Custom {service} configuration: {', '.join(sorted(changed))}",
                    }
                )
        return found

    # Project side

    def get_token(self, ref: str) -> dict[str, Any]:
        self._project(ref)
        with self._connect() as conn:
            row = conn.execute("select * from claim_tokens where ref = %s and expires_at > now()", (ref,)).fetchone()
        if row is None:
            raise Problem(404, f"Project {ref} has no claim token")
        return _shape(row)

    def create_token(self, ref: str) -> dict[str, Any]:
        self._project(ref)
        token = secrets.token_hex(20)
        with self._connect() as conn:
            cursor = conn.execute(
                "insert into claim_tokens (ref, token_hash, token_alias, created_by, expires_at)"
                " values (%s, %s, %s, %s, now() + %s)"
                " on conflict (ref) do update set token_hash = excluded.token_hash, token_alias = excluded.token_alias,"
                " created_by = excluded.created_by, created_at = now(), expires_at = excluded.expires_at returning *",
                (ref, _digest(token), f"{token[:4]}…{token[-4:]}", LOCAL_USER, TOKEN_LIFETIME),
            )
            row = one_row(cursor)
        return _shape(row, token)

    def delete_token(self, ref: str) -> None:
        self._project(ref)
        with self._connect() as conn:
            conn.execute("delete from claim_tokens where ref = %s", (ref,))

    # Receiving organization's side

    def preview(self, slug: str, token: str) -> dict[str, Any]:
        row, project = self._by_token(slug, token)
        errors = (
            [{"key": "same_organization", "message": f"The project already belongs to {slug}"}]
            if project.organization_slug == slug
            else []
        )
        warnings = self._customizations(project.ref)
        return {
            "project": {"ref": project.ref, "name": project.name},
            "preview": {
                "valid": not errors,
                "warnings": warnings,
                "errors": errors,
                "info": [
                    {"key": "source_organization", "message": f"Moves from organization {project.organization_slug}"}
                ],
                "members_exceeding_free_project_limit": [],
                "source_subscription_plan": "free",
                "target_subscription_plan": "free",
            },
            "expires_at": row["expires_at"].isoformat(),
            "created_at": row["created_at"].isoformat(),
            "created_by": str(row["created_by"]),
        }

    def claim(self, slug: str, token: str) -> None:
        found = self.preview(slug, token)
        require(found["preview"]["valid"], "; ".join(error["message"] for error in found["preview"]["errors"]))
        self._store.move_project(found["project"]["ref"], slug)
        with self._connect() as conn:
            conn.execute("delete from claim_tokens where ref = %s", (found["project"]["ref"],))

    def _by_token(self, slug: str, token: str) -> tuple[Mapping[str, Any], ProjectRow]:
        if self._store.organization(slug) is None:
            raise Problem(404, f"Organization {slug} not found")
        with self._connect() as conn:
            row = conn.execute(
                "select * from claim_tokens where token_hash = %s and expires_at > now()", (_digest(token),)
            ).fetchone()
        if row is None:
            raise Problem(404, "Claim token not found or expired")
        return row, self._project(row["ref"])

    # OAuth authorize (the stand-in for Supabase's claim UI)

    def authorize(self, params: Mapping[str, str], base_url: str) -> str:
        """Check the authorize request and return where to send the end user."""
        ref = params.get("project_ref", "")
        require(bool(ref), "project_ref is required")
        self._project(ref)
        client_id = params.get("client_id", "")
        try:
            uuid.UUID(client_id)
        except ValueError:
            raise Problem(400, "client_id must be a UUID") from None
        require(
            params.get("response_type") in ("code", "token", "id_token token"),
            "response_type must be code, token or id_token token",
        )
        redirect_uri = params.get("redirect_uri", "")
        require(
            urlsplit(redirect_uri).scheme in ("http", "https") and bool(urlsplit(redirect_uri).netloc),
            "redirect_uri must be an absolute http(s) URL",
        )
        request_id = secrets.token_urlsafe(24)
        with self._connect() as conn:
            conn.execute(
                "insert into claim_requests (id, ref, client_id, redirect_uri, state, expires_at)"
                " values (%s, %s, %s, %s, %s, now() + %s)",
                (request_id, ref, client_id, redirect_uri, params.get("state"), REQUEST_LIFETIME),
            )
        return f"{base_url.rstrip('/')}/local/project-claim/{request_id}"

    def pending(self, request_id: str) -> dict[str, Any]:
        with self._connect() as conn:
            row = conn.execute(
                "select * from claim_requests where id = %s and used_at is null and expires_at > now()", (request_id,)
            ).fetchone()
        if row is None:
            raise Problem(404, "This claim link is unknown, used or expired")
        project = self._project(row["ref"])
        return {
            **row,
            "project": project,
            "organizations": self._store.organizations(),
            "warnings": self._customizations(project.ref),
        }

    def approve(self, request_id: str, slug: str) -> str:
        """Claim the project for ``slug`` (a one-off token, as the real UI does) and return the
        redirect back to the caller with an authorization code."""
        request = self.pending(request_id)
        token = self.create_token(request["ref"])["token"]
        found = self.preview(slug, token)
        require(found["preview"]["valid"], "; ".join(error["message"] for error in found["preview"]["errors"]))
        with self._connect() as conn:
            used = conn.execute(
                "update claim_requests set used_at = now() where id = %s and used_at is null", (request_id,)
            ).rowcount
        require(used == 1, "This claim link was just used")
        self.claim(slug, token)
        query = {"code": secrets.token_urlsafe(24), **({"state": request["state"]} if request["state"] else {})}
        separator = "&" if urlsplit(request["redirect_uri"]).query else "?"
        return f"{request['redirect_uri']}{separator}{urlencode(query)}"

    def forget(self, ref: str) -> None:
        with self._connect() as conn:
            conn.execute("delete from claim_tokens where ref = %s", (ref,))
            conn.execute("delete from claim_requests where ref = %s", (ref,))
