"""Checking what callers send against the OpenAPI document's request schemas, with messages
that say which field is wrong and why (the real API answers 400 with such a message)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import catalog
from .errors import Problem, require

REF = re.compile(r"^[a-z]{20}$")
SLUG = re.compile(r"^[\w-]+$")

CREATE_PROJECT_FIELDS = frozenset(
    {
        "db_pass",
        "name",
        "organization_id",
        "organization_slug",
        "plan",
        "region",
        "region_selection",
        "kps_enabled",
        "desired_instance_size",
        "template_url",
    }
)


@dataclass(frozen=True)
class NewProject:
    name: str
    organization_slug: str
    db_pass: str
    region: str
    instance_size: str


def check_ref(ref: str) -> None:
    require(bool(REF.match(ref)), f"Invalid project ref {ref!r}: a ref is 20 lowercase letters")


def check_slug(slug: str) -> None:
    require(bool(SLUG.match(slug)), f"Invalid organization slug {slug!r}: it must match ^[\\w-]+$")


def _name(body: Mapping[str, Any]) -> str:
    require("name" in body, "name is required")
    name = body["name"]
    if not isinstance(name, str):
        raise Problem(400, f"name must be a string, not {type(name).__name__}")
    require(0 < len(name) <= 256, "name must be 1 to 256 characters long")
    _no_nul("name", name)
    return name


def _no_nul(field: str, value: str) -> None:
    # PostgreSQL text cannot hold NUL; said here rather than failing in the database.
    require("\x00" not in value, f"{field} must not contain NUL characters")


def _no_unknown_fields(body: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(body) - allowed)
    require(not unknown, f"property {', '.join(unknown)} should not exist")


def _optional(body: Mapping[str, Any], field: str, kind: type, choices: tuple[str, ...] | None = None) -> Any:
    value = body.get(field)
    if value is None:
        return None
    require(isinstance(value, kind), f"{field} must be a {kind.__name__}, not {type(value).__name__}")
    if choices is not None:
        require(value in choices, f"{field} must be one of {', '.join(choices)}, not {value!r}")
    return value


def organization_name(body: Mapping[str, Any]) -> str:
    _no_unknown_fields(body, frozenset({"name"}))
    return _name(body)


def project_name(body: Mapping[str, Any]) -> str:
    return _name(body)


def new_project(body: Mapping[str, Any]) -> NewProject:
    """V1CreateProjectBody: required name, organization_slug, db_pass; no other properties."""
    _no_unknown_fields(body, CREATE_PROJECT_FIELDS)
    name = _name(body)
    slug, db_pass = body.get("organization_slug"), body.get("db_pass")
    require(slug is not None, "organization_slug is required")
    if not isinstance(slug, str):
        raise Problem(400, f"organization_slug must be a string, not {type(slug).__name__}")
    check_slug(slug)
    require(db_pass is not None, "db_pass is required")
    if not isinstance(db_pass, str):
        raise Problem(400, f"db_pass must be a string, not {type(db_pass).__name__}")
    require(len(db_pass) > 0, "db_pass must not be empty")
    _no_nul("db_pass", db_pass)
    _optional(body, "plan", str, ("free", "pro"))  # deprecated and ignored, as upstream
    _optional(body, "kps_enabled", bool)
    _optional(body, "organization_id", str)
    _optional(body, "template_url", str)
    size = _optional(body, "desired_instance_size", str, catalog.INSTANCE_SIZES) or "nano"
    return NewProject(name=name, organization_slug=slug, db_pass=db_pass, region=region(body), instance_size=size)


def region(body: Mapping[str, Any]) -> str:
    """The specific region a project lands in, from ``region_selection`` or the deprecated
    ``region`` (only one of them may be given)."""
    selection, legacy = body.get("region_selection"), body.get("region")
    require(selection is None or legacy is None, "Only one of region or region_selection can be specified")
    if legacy is not None:
        return str(_optional(body, "region", str, tuple(catalog.REGIONS)))
    if selection is None:
        return catalog.SMART_GROUP_DEFAULT_REGION["americas"]
    require(isinstance(selection, dict), "region_selection must be an object {type, code}")
    kind, code = selection.get("type"), selection.get("code")
    require(
        kind in ("specific", "smartGroup"), f"region_selection.type must be 'specific' or 'smartGroup', not {kind!r}"
    )
    require(code is not None, "region_selection.code is required")
    require(isinstance(code, str), f"region_selection.code must be a string, not {type(code).__name__}")
    if kind == "smartGroup":
        require(
            code in catalog.SMART_GROUPS,
            f"region_selection.code must be one of {', '.join(catalog.SMART_GROUPS)} for a smartGroup, not {code!r}",
        )
        return catalog.SMART_GROUP_DEFAULT_REGION[code]
    require(
        code in catalog.REGIONS,
        f"region_selection.code must be one of {', '.join(catalog.REGIONS)} for a specific region, not {code!r}",
    )
    return str(code)


def int_param(params: Mapping[str, str], name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Problem(400, f"{name} must be an integer, not {raw!r}") from None
    bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
    require(value >= low and (high is None or value <= high), f"{name} must be {bounds}, not {value}")
    return value


def choice_param(
    params: Mapping[str, str], name: str, choices: tuple[str, ...], default: str | None = None
) -> str | None:
    value = params.get(name, default)
    require(value is None or value in choices, f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def services(names: list[str]) -> list[str]:
    """The health check's required ``services`` list, each a documented service name."""
    require(bool(names), f"services is required: one or more of {', '.join(catalog.SERVICES)}")
    unknown = [name for name in names if name not in catalog.SERVICES]
    require(not unknown, f"Unknown service(s) {', '.join(unknown)}; expected any of {', '.join(catalog.SERVICES)}")
    return list(dict.fromkeys(names))


TRUTHY = frozenset({"true", "1", "yes", "on", "y", "enabled"})
FALSY = frozenset({"false", "0", "no", "off", "n", "disabled"})


def flag(params: Mapping[str, str], name: str, default: bool | None = False) -> bool | None:
    """A "boolean string" query flag (the newer document's convention): ``true/1/yes/on/y/enabled``
    or ``false/0/no/off/n/disabled``, any case; absent gives ``default``; anything else is a 400."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in TRUTHY:
        return True
    require(
        value in FALSY,
        f"{name} must be a boolean string ({', '.join(sorted(TRUTHY))} or {', '.join(sorted(FALSY))}), not {raw!r}",
    )
    return False
