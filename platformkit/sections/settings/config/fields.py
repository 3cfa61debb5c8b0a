"""Service configuration forms (Auth, Data API, Storage, Realtime), generated from the fields
the API returns and typed by the OpenAPI document's update schema: grouped and labelled, parsed
and validated before anything is sent, reviewed as a diff, then applied.

A reviewed change travels back to the apply step encrypted (Fernet, the app's keys) together
with the values it was reviewed against, so secret fields are never echoed into the page and a
change made meanwhile by someone else is caught instead of overwritten."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from platformkit import crypto
from platformkit.api.config_schema import is_secret, load, validation_errors

SERVICES = {"auth": "Auth", "postgrest": "Data API", "storage": "Storage", "realtime": "Realtime"}
REVIEW_MAX_AGE = 30 * 60  # seconds a reviewed change may wait for its confirmation

# Auth has 200+ fields: grouped by what their names start with, in this order.
AUTH_GROUPS = (
    ("General", ("site_url", "uri_allow_list", "disable_signup", "jwt_exp", "api_", "db_")),
    ("Email", ("external_email", "mailer_", "smtp_")),
    ("Phone and SMS", ("external_phone", "sms_")),
    ("Passwords", ("password_",)),
    ("Sessions and tokens", ("sessions_", "refresh_token", "security_refresh")),
    ("Security", ("security_", "rate_limit_")),
    ("Multi-factor and passkeys", ("mfa_", "passkey_", "webauthn_")),
    ("Anonymous sign-in", ("external_anonymous",)),
    ("Hooks", ("hook_",)),
    ("SAML and OAuth server", ("saml_", "oauth_", "custom_oauth_")),
)
ACRONYMS = {
    "jwt",
    "otp",
    "mfa",
    "sms",
    "smtp",
    "url",
    "uri",
    "uris",
    "api",
    "db",
    "saml",
    "oauth",
    "oidc",
    "totp",
    "hibp",
    "rp",
    "id",
    "ids",
    "s3",
    "kb",
    "ip",
    "sso",
    "pkce",
    "jwks",
}


@dataclass
class Field:
    name: str  # dotted for nested storage fields: features.imageTransformation.enabled
    label: str
    kind: str  # boolean | integer | number | text | choice | secret | readonly
    value: Any
    help: str = ""
    nullable: bool = False
    choices: list[str] = field(default_factory=list)
    error: str = ""
    given: str | None = None  # what was typed, kept when the form comes back with errors

    @property
    def shown(self) -> str:
        if self.given is not None:
            return self.given
        if self.kind == "secret":
            return ""
        return (
            ""
            if self.value is None
            else (json.dumps(self.value) if isinstance(self.value, dict | list) else str(self.value))
        )

    @property
    def is_set(self) -> bool:
        return self.value not in (None, "")


@dataclass
class Group:
    title: str
    fields: list[Field]

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")

    @property
    def has_error(self) -> bool:
        return any(f.error for f in self.fields)


@dataclass
class Change:
    name: str
    label: str
    old: Any
    new: Any
    secret: bool

    def display(self, value: Any) -> str:
        if self.secret:
            return "(set)" if value not in (None, "") else "(not set)"
        return "empty" if value in (None, "") else str(value)

    @property
    def old_display(self) -> str:
        return self.display(self.old)

    @property
    def new_display(self) -> str:
        return "(new value)" if self.secret and self.new not in (None, "") else self.display(self.new)


class ConfigConflict(Exception):
    """Someone changed the reviewed fields meanwhile: review again against the new values."""


def label(name: str) -> str:
    last = name.rsplit(".", 1)[-1]
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", last).replace("_", " ").split()
    text = " ".join(word.upper() if word.lower() in ACRONYMS else word for word in words)
    return text[:1].upper() + text[1:]


def _flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if (
            isinstance(value, dict)
            and value
            and all(not isinstance(v, dict | list) or isinstance(v, dict) for v in value.values())
            and key not in ("meta",)
        ):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _schema_at(schema: dict[str, Any], dotted: str) -> dict[str, Any] | None:
    node: dict[str, Any] | None = schema
    for part in dotted.split("."):
        node = (node or {}).get("properties", {}).get(part)
        if node is None:
            return None
    return node


def _kinds(schema: dict[str, Any]) -> tuple[str, bool]:
    kinds = schema.get("type", "string")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    nullable = "null" in kinds
    return next((kind for kind in kinds if kind != "null"), "string"), nullable


def build_fields(service: str, current: dict[str, Any]) -> list[Field]:
    update = load()[service]["update"]
    out: list[Field] = []
    for name, value in sorted(_flatten(current).items()):
        schema = _schema_at(update, name)
        if schema is None:
            kind, nullable, choices = "readonly", False, []
        else:
            base, nullable = _kinds(schema)
            choices = [str(c) for c in schema.get("enum", []) if c is not None]
            kind = (
                "secret"
                if is_secret(name)
                else "choice"
                if choices
                else {"boolean": "boolean", "integer": "integer", "number": "number"}.get(base, "text")
            )
        if is_secret(name) and kind == "readonly":
            value = "(hidden)" if value else value  # e.g. PostgREST's jwt_secret: never on a page
        out.append(
            Field(
                name,
                label(name),
                kind,
                value,
                help=(schema or {}).get("description", ""),
                nullable=nullable,
                choices=choices,
            )
        )
    return out


def group_fields(service: str, fields: list[Field]) -> list[Group]:
    if service != "auth":
        editable = [f for f in fields if f.kind != "readonly"]
        fixed = [f for f in fields if f.kind == "readonly"]
        return [group for group in (Group("Settings", editable), Group("Read only", fixed)) if group.fields]
    groups = {title: Group(title, []) for title, _ in AUTH_GROUPS}
    other = Group("Other", [])
    providers: dict[str, Group] = {}  # one group per sign-in provider: external_<provider>_*
    for f in fields:
        title = next((title for title, prefixes in AUTH_GROUPS if f.name.startswith(prefixes)), None)
        if title is None and f.name.startswith(("external_", "nimbus_")):
            provider = f.name.split("_")[0 if f.name.startswith("nimbus_") else 1]
            providers.setdefault(provider, Group(f"Provider: {label(provider)}", [])).fields.append(f)
            continue
        (groups[title] if title else other).fields.append(f)
    ordered = [*groups.values(), *(providers[name] for name in sorted(providers)), other]
    return [group for group in ordered if group.fields]


def parse(service: str, fields: list[Field], data: QueryDict) -> tuple[dict[str, Any], list[Change]]:
    """The changed fields as a PATCH body (nested for storage), and the diff; errors are set on
    the fields (with what was typed kept). Only fields present in the form are considered."""
    flat_changes: dict[str, Any] = {}
    changes: list[Change] = []
    for f in fields:
        if f.kind == "readonly" or f.name not in data:
            continue
        raw = data.getlist(f.name)[-1]  # a checkbox follows its hidden "false"
        if f.kind not in ("boolean", "secret") and raw.strip() == "" and f.value in ("", None):
            continue  # empty stays empty, whether the API says "" or null
        try:
            value = _typed(f, raw)
        except ValueError as exc:
            f.error, f.given = str(exc), raw
            continue
        if f.kind == "secret" and value is None:
            continue  # left blank: keep the stored secret
        if f.value is None and value in ("", False):
            continue  # an unset field shown as empty (or an unticked box) was not changed
        if value != f.value:
            flat_changes[f.name] = value
            changes.append(Change(f.name, f.label, f.value, value, f.kind == "secret"))
            f.given = raw if f.kind != "secret" else None
    body = _nest(flat_changes)
    # The document's schema judges the whole body (ranges, patterns, required siblings).
    by_name = {f.name: f for f in fields}
    for where, message in validation_errors(service, _complete(body, fields)).items():
        target = by_name.get(where) or next((f for f in fields if f.name.startswith(where + ".")), None)
        if target is not None and not target.error:
            target.error = message
            target.given = (
                target.given if target.given is not None else (None if target.kind == "secret" else target.shown)
            )
    return body, changes


def _typed(f: Field, raw: str) -> Any:
    raw = raw.strip() if f.kind != "secret" else raw
    if f.kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError("must be on or off")
        return raw == "true"
    if raw == "":
        if f.kind == "secret":
            return None
        if f.nullable:
            return None
        if f.kind in ("integer", "number"):
            raise ValueError("is required")
        return ""
    if f.kind == "integer":
        try:
            return int(raw)
        except ValueError:
            raise ValueError("must be a whole number") from None
    if f.kind == "number":
        try:
            return float(raw)
        except ValueError:
            raise ValueError("must be a number") from None
    if f.kind == "choice" and raw not in f.choices:
        raise ValueError("must be one of " + ", ".join(c or "(empty)" for c in f.choices))
    return raw


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dotted, value in flat.items():
        node = out
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def _complete(body: dict[str, Any], fields: list[Field]) -> dict[str, Any]:
    """A nested change with its untouched siblings filled in (storage's feature objects must be
    sent whole: ``enabled`` and the limits are all required)."""
    current = {f.name: f.value for f in fields}

    def fill(node: dict[str, Any], prefix: str) -> dict[str, Any]:
        done = {}
        for key, value in node.items():
            done[key] = fill(value, f"{prefix}{key}.") if isinstance(value, dict) else value
        if prefix:
            for name, value in current.items():
                if name.startswith(prefix) and "." not in name[len(prefix) :]:
                    done.setdefault(name[len(prefix) :], value)
        return done

    return fill(body, "")


def request_body(body: dict[str, Any], fields: list[Field]) -> dict[str, Any]:
    return _complete(body, fields)


# Sealing a reviewed change for its confirmation


def seal(*, ref: str, service: str, body: dict[str, Any], base: dict[str, Any], actor: str) -> str:
    return crypto.encrypt(
        json.dumps({"ref": ref, "service": service, "body": body, "base": base, "actor": actor, "at": time.time()})
    )


def unseal(token: str, *, ref: str, service: str, actor: str) -> dict[str, Any]:
    try:
        sealed = json.loads(crypto.decrypt(token))
    except (crypto.InvalidToken, ValueError):
        raise ValueError("The reviewed change could not be read: review it again.") from None
    if (sealed.get("ref"), sealed.get("service"), sealed.get("actor")) != (ref, service, actor):
        raise ValueError("This reviewed change belongs to another project, service or user.")
    if time.time() - float(sealed.get("at", 0)) > REVIEW_MAX_AGE:
        raise ValueError("The review is more than 30 minutes old: review the change again.")
    return sealed


def base_values(changes: list[Change]) -> dict[str, Any]:
    return {change.name: change.old for change in changes}


def check_unchanged(current: dict[str, Any], base: dict[str, Any]) -> None:
    flat = _flatten(current)
    moved = [name for name, old in base.items() if flat.get(name) != old]
    if moved:
        raise ConfigConflict(
            "Changed by someone else since your review: "
            + ", ".join(label(name) for name in sorted(moved))
            + ". Review again."
        )
