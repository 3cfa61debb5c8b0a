"""The fields of each service's configuration, as the OpenAPI document defines them.

``config_schemas.json`` (shipped with the package) holds, per service, the JSON Schema of the
update body (OpenAPI's ``nullable`` turned into a ``"null"`` type) and the fields the read
answer lists. Forms are generated from it, input is validated with it before it is sent, and
the local API refuses what it refuses. It is generated from the document, never hand-edited:

    python -m platformkit.api.config_schema path/to/openapi.json   # rewrites the JSON file

and a test fails when the shipped file and the document disagree.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).with_name("config_schemas.json")

# service -> (path, read schema, update schema): the document's four configuration endpoints.
SERVICES: dict[str, tuple[str, str, str]] = {
    "auth": ("/v1/projects/{ref}/config/auth", "AuthConfigResponse", "UpdateAuthConfigBody"),
    "postgrest": (
        "/v1/projects/{ref}/postgrest",
        "PostgrestConfigWithJWTSecretResponse",
        "V1UpdatePostgrestConfigBody",
    ),
    "storage": ("/v1/projects/{ref}/config/storage", "StorageConfigResponse", "UpdateStorageConfigBody"),
    "realtime": ("/v1/projects/{ref}/config/realtime", "RealtimeConfigResponse", "UpdateRealtimeConfigBody"),
}

# Values never shown once set: provider secrets, hook secrets, SMTP and SMS credentials, the JWT secret.
SECRET_FIELD = re.compile(r"(_secret|_secrets|_pass|_auth_token|_access_key|_api_key)$")


def is_secret(name: str) -> bool:
    return bool(SECRET_FIELD.search(name))


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    schemas: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())
    return schemas


def update_schema(service: str) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the PATCH body."""
    schema: dict[str, Any] = load()[service]["update"]
    return schema


def read_fields(service: str) -> list[str]:
    return list(load()[service]["read"])


def validation_errors(service: str, body: Mapping[str, Any]) -> dict[str, str]:
    """Field (dotted for nested ones) -> what is wrong; empty when the body is valid.

    Unknown fields are named as such rather than as a generic schema failure.
    """
    from jsonschema import Draft202012Validator

    schema = update_schema(service)
    problems: dict[str, str] = {}
    known = schema.get("properties", {})
    for name in body:
        if name not in known:
            problems[name] = f"unknown field for {service} config"
    if problems:
        return problems
    for error in Draft202012Validator(schema).iter_errors(dict(body)):
        where = ".".join(str(part) for part in error.absolute_path) or "(body)"
        problems.setdefault(where, _message(error))
    return problems


def _message(error: Any) -> str:
    validator, value = error.validator, error.validator_value
    if validator == "type":
        kinds = [value] if isinstance(value, str) else list(value)
        return "must be " + " or ".join(
            "empty" if kind == "null" else f"a{'n' if kind[0] in 'aeiou' else ''} {kind}" for kind in kinds
        )
    if validator == "minimum":
        return f"must be at least {value}"
    if validator == "maximum":
        return f"must be at most {value}"
    if validator == "enum":
        return "must be one of " + ", ".join(str(choice) for choice in value if choice is not None)
    if validator == "maxLength":
        return f"must be at most {value} characters"
    if validator == "pattern":
        return f"does not have the required form ({value})"
    if validator == "required":
        return str(error.message)
    return str(error.message)


# Generation (development only: reads the OpenAPI document)


def generate(document: Mapping[str, Any]) -> dict[str, Any]:
    schemas = document["components"]["schemas"]
    out: dict[str, Any] = {}
    for service, (path, read_name, update_name) in SERVICES.items():
        read = _resolve(schemas[read_name], schemas)
        out[service] = {
            "path": path,
            "read": {name: _to_json_schema(prop) for name, prop in read.get("properties", {}).items()},
            "update": {"type": "object", **_to_json_schema(_resolve(schemas[update_name], schemas), top=True)},
        }
    return out


def _resolve(schema: Mapping[str, Any], schemas: Mapping[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(schemas[schema["$ref"].rsplit("/", 1)[1]], schemas)
    return {
        key: ({name: _resolve(prop, schemas) for name, prop in value.items()} if key == "properties" else value)
        for key, value in schema.items()
    }


KEEP = (
    "type",
    "enum",
    "minimum",
    "maximum",
    "maxLength",
    "minLength",
    "pattern",
    "description",
    "format",
    "required",
    "additionalProperties",
    "oneOf",
    "items",
)


def _to_json_schema(schema: Mapping[str, Any], *, top: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {key: schema[key] for key in KEEP if key in schema}
    out.pop("format", None)  # formats (email, int64, uri) are not asserted by draft 2020-12 anyway
    if "properties" in schema:
        out["properties"] = {name: _to_json_schema(prop) for name, prop in schema["properties"].items()}
        out.setdefault("type", "object")
    if "oneOf" in out:
        out["oneOf"] = [_to_json_schema(choice) for choice in out["oneOf"]]
    if "items" in out:
        out["items"] = _to_json_schema(out["items"])
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if top:
        out.pop("type", None)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m platformkit.api.config_schema path/to/openapi.json", file=sys.stderr)
        return 2
    document = json.loads(Path(argv[1]).read_text())
    SCHEMA_FILE.write_text(json.dumps(generate(document), indent=1, sort_keys=True) + "\n")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
