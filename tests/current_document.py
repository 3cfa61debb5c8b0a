"""Today's Management API document: the stored May 2026 copy (``openapi.json``) with the newer
copy's differences (``v1-delta.json``, beside it) applied. The contract tests and the fuzz test
read this one document, so both check against the same, current contract.

``v1-delta.json`` holds whole operations and whole component schemas, so applying it replaces
rather than merges: ``added`` and ``changed`` map ``path -> method -> operation`` (the newer
operation), ``removed`` lists operations gone (``"METHOD /path"`` or ``{"path", "method"}``),
``schemas`` maps component-schema names to their newer versions."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def apply_delta(document: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with ``delta`` applied (the arguments are left as they were)."""
    current = copy.deepcopy(document)
    paths = current.setdefault("paths", {})
    for section in ("added", "changed"):
        for route, operations in delta.get(section, {}).items():
            for method, operation in operations.items():
                if method not in HTTP_METHODS:
                    raise ValueError(f"v1-delta.json {section} {route}: {method!r} is not an HTTP method")
                paths.setdefault(route, {})[method] = copy.deepcopy(operation)
    for gone in delta.get("removed", []):
        method, route = (gone["method"], gone["path"]) if isinstance(gone, dict) else gone.split(" ", 1)
        paths.get(route, {}).pop(method.lower(), None)
        if route in paths and not set(paths[route]) & HTTP_METHODS:
            del paths[route]
    schemas = current.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(copy.deepcopy(delta.get("schemas", {})))
    return current


def load_current(openapi_path: Path) -> dict[str, Any]:
    """The document at ``openapi_path`` with the ``v1-delta.json`` beside it applied."""
    document = json.loads(openapi_path.read_text())
    return apply_delta(document, json.loads((openapi_path.parent / "v1-delta.json").read_text()))


def only(document: dict[str, Any], operations: set[tuple[str, str]]) -> dict[str, Any]:
    """``document`` cut down to ``operations`` (``(METHOD, /path/{param})`` pairs)."""
    paths = {
        path: {method: op for method, op in entries.items() if (method.upper(), path) in operations}
        for path, entries in document["paths"].items()
    }
    return {**document, "paths": {path: entries for path, entries in paths.items() if entries}}
