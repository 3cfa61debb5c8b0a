"""The log sources, with the real sources' names and fields. ``logs`` (ClickHouse) reads an
event's fields from its ``log_attributes`` map by dotted path (``request.method``); ``logs.all``
(BigQuery) reads them from nested ``metadata``, where each nested object is a list of structs,
so queries ``cross join unnest(...)`` level by level. Fields are the ones Supabase documents
for each source (a subset for the sources nothing local writes to)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

Tree = dict[str, Any]  # field -> DuckDB type name, or a nested Tree (a list of structs)

HEADERS: Tree = {
    "host": "VARCHAR",
    "user_agent": "VARCHAR",
    "x_client_info": "VARCHAR",
    "x_real_ip": "VARCHAR",
    "referer": "VARCHAR",
    "cf_connecting_ip": "VARCHAR",
    "cf_ipcountry": "VARCHAR",
    "content_type": "VARCHAR",
}

SOURCES: dict[str, Tree] = {
    "edge_logs": {
        "identifier": "VARCHAR",
        "metadata": {
            "load_balancer_redirect_identifier": "VARCHAR",
            "request": {
                "method": "VARCHAR",
                "path": "VARCHAR",
                "search": "VARCHAR",
                "url": "VARCHAR",
                "host": "VARCHAR",
                "protocol": "VARCHAR",
                "headers": HEADERS,
                "cf": {"country": "VARCHAR", "city": "VARCHAR", "continent": "VARCHAR"},
            },
            "response": {
                "status_code": "BIGINT",
                "origin_time": "BIGINT",
                "headers": {
                    "content_type": "VARCHAR",
                    "content_length": "VARCHAR",
                    "cf_cache_status": "VARCHAR",
                    "x_request_id": "VARCHAR",
                },
            },
        },
    },
    "postgres_logs": {
        "identifier": "VARCHAR",
        "metadata": {
            "host": "VARCHAR",
            "parsed": {
                "error_severity": "VARCHAR",
                "user_name": "VARCHAR",
                "database_name": "VARCHAR",
                "application_name": "VARCHAR",
                "backend_type": "VARCHAR",
                "command_tag": "VARCHAR",
                "sql_state_code": "VARCHAR",
                "query": "VARCHAR",
                "detail": "VARCHAR",
                "hint": "VARCHAR",
                "session_id": "VARCHAR",
                "process_id": "BIGINT",
                "timestamp": "VARCHAR",
            },
        },
    },
    "function_edge_logs": {
        "metadata": {
            "function_id": "VARCHAR",
            "deployment_id": "VARCHAR",
            "execution_id": "VARCHAR",
            "execution_time_ms": "DOUBLE",
            "version": "VARCHAR",
            "project_ref": "VARCHAR",
            "request": {
                "method": "VARCHAR",
                "pathname": "VARCHAR",
                "url": "VARCHAR",
                "host": "VARCHAR",
                "protocol": "VARCHAR",
                "headers": HEADERS,
            },
            "response": {"status_code": "BIGINT", "headers": {"content_type": "VARCHAR", "content_length": "VARCHAR"}},
        },
    },
    "function_logs": {
        "metadata": {
            "level": "VARCHAR",
            "event_type": "VARCHAR",
            "function_id": "VARCHAR",
            "execution_id": "VARCHAR",
            "deployment_id": "VARCHAR",
            "project_ref": "VARCHAR",
            "region": "VARCHAR",
            "timestamp": "VARCHAR",
            "version": "VARCHAR",
        },
    },
    "auth_logs": {
        "metadata": {
            "level": "VARCHAR",
            "status": "BIGINT",
            "path": "VARCHAR",
            "method": "VARCHAR",
            "msg": "VARCHAR",
            "error": "VARCHAR",
            "component": "VARCHAR",
            "duration": "BIGINT",
            "host": "VARCHAR",
            "referer": "VARCHAR",
            "remote_addr": "VARCHAR",
            "timestamp": "VARCHAR",
            "auth_event": {
                "action": "VARCHAR",
                "actor_id": "VARCHAR",
                "actor_username": "VARCHAR",
                "log_type": "VARCHAR",
            },
        },
    },
    "storage_logs": {
        "metadata": {"level": "VARCHAR", "project": "VARCHAR", "reqId": "VARCHAR", "responseTime": "DOUBLE"}
    },
    "realtime_logs": {"metadata": {"level": "VARCHAR", "external_id": "VARCHAR"}},
    "postgrest_logs": {"identifier": "VARCHAR", "metadata": {"host": "VARCHAR"}},
    "supavisor_logs": {"metadata": {"level": "VARCHAR", "project": "VARCHAR", "db_name": "VARCHAR", "user": "VARCHAR"}},
    "pgbouncer_logs": {"metadata": {"host": "VARCHAR"}},
    "pg_upgrade_logs": {},
    "workflow_run_logs": {"workflow_run": "VARCHAR"},
}
TOP_LEVEL = ("id", "timestamp", "event_message")


def columns(source: str) -> list[str]:
    return [*TOP_LEVEL, *SOURCES[source]]


def json_structure(tree: Tree) -> list[dict[str, Any]]:
    """The ``from_json`` structure for a nested field: a list of structs."""
    return [{name: (json_structure(value) if isinstance(value, dict) else value) for name, value in tree.items()}]


def field_tree(source: str, path: list[str]) -> Tree | None:
    """The struct a column path leads to (``["metadata", "request"]``), or None."""
    node: Any = SOURCES[source]
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, dict) else None


def as_lists(value: Any, tree: Tree) -> list[dict[str, Any]]:
    """A recorded object (nested dicts) in the ``logs.all`` shape: every nested object a list."""
    if not isinstance(value, Mapping):
        return []
    out: dict[str, Any] = {}
    for name, sub in tree.items():
        item = value.get(name)
        out[name] = as_lists(item, sub) if isinstance(sub, dict) else item
    return [out]


def flatten(value: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested fields as ``log_attributes`` holds them: dotted paths to text (ClickHouse's
    ``Map(String, String)``); a missing (None) field has no key, as in the real map."""
    out: dict[str, str] = {}
    for name, item in value.items():
        key = f"{prefix}{name}"
        if isinstance(item, Mapping):
            out.update(flatten(item, key + "."))
        elif item is None:
            continue
        elif isinstance(item, bool):
            out[key] = "true" if item else "false"
        elif isinstance(item, (list, tuple)):
            out[key] = json.dumps(item, default=str)
        else:
            out[key] = str(item)
    return out


def severity(source: str, metadata: Mapping[str, Any]) -> str | None:
    """``severity_text``, the OpenTelemetry column of the unified table, from the source's own field."""
    if source == "postgres_logs":
        parsed = metadata.get("parsed")
        return str(parsed.get("error_severity") or "LOG") if isinstance(parsed, Mapping) else "LOG"
    if source in ("edge_logs", "function_edge_logs"):
        response = metadata.get("response")
        status = response.get("status_code") if isinstance(response, Mapping) else None
        if isinstance(status, int):
            return "ERROR" if status >= 500 else "WARN" if status >= 400 else "INFO"
        return "INFO"
    level = metadata.get("level")
    return str(level).upper() if level else "INFO"
