"""The log sources ``logs.all`` serves, with the real sources' names and nested ``metadata``:
each nested object is a list of structs, as in BigQuery, so queries ``cross join unnest(...)``
level by level. Fields are the ones Supabase documents for each source (a subset for the
sources nothing local writes to)."""

from __future__ import annotations

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
