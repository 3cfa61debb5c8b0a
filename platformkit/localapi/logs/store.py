"""Log events: recorded in the control database (so they survive restarts and every local
API process sees them), loaded per query into an in-memory DuckDB with the sources' nested
types, where the compiled query runs with external access switched off."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from platformkit.localapi.control import ControlTables

from .sources import SOURCES, Tree, json_structure

RETENTION = timedelta(days=7)
MAX_EVENTS_PER_SOURCE = 200_000  # loaded for one query (a 24-hour window of a busy local project)
QUERY_SECONDS = 10.0


def duck_type(tree: Tree) -> str:
    fields = ", ".join(
        f'"{name}" {duck_type(value) + "[]" if isinstance(value, dict) else value}' for name, value in tree.items()
    )
    return f"STRUCT({fields})"


def as_lists(value: Any, tree: Tree) -> list[dict[str, Any]]:
    """A recorded object (nested dicts) in the sources' shape: every nested object a list."""
    if not isinstance(value, Mapping):
        return []
    out: dict[str, Any] = {}
    for name, sub in tree.items():
        item = value.get(name)
        out[name] = as_lists(item, sub) if isinstance(sub, dict) else item
    return [out]


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):  # BigQuery TIMESTAMP: microseconds since the epoch, as the API answers
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(moment.timestamp()) * 1_000_000 + moment.microsecond
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (bytes, uuid.UUID, timedelta)):
        return str(value)
    return value


class LogEvents(ControlTables):
    SCHEMA_SQL = """
    create table if not exists log_events (
        id uuid primary key,
        ref text not null,
        source text not null,
        ts timestamptz not null default clock_timestamp(),
        event_message text not null,
        identifier text,
        metadata jsonb not null default '{}'
    );
    create index if not exists log_events_ref_source_ts on log_events (ref, source, ts);
    """

    def __init__(self, control_url: str) -> None:
        super().__init__(control_url)
        self._writes = 0
        self._guard = threading.Lock()

    def record(
        self,
        ref: str,
        source: str,
        event_message: str,
        metadata: Mapping[str, Any] | None = None,
        *,
        identifier: str | None = None,
        at: datetime | None = None,
    ) -> None:
        if source not in SOURCES:
            raise ValueError(f"unknown log source {source}")
        with self._connect() as conn:
            conn.execute(
                "insert into log_events (id, ref, source, ts, event_message, identifier, metadata)"
                " values (%s, %s, %s, coalesce(%s, clock_timestamp()), %s, %s, %s)",
                (uuid.uuid4(), ref, source, at, event_message[:10_000], identifier, Jsonb(dict(metadata or {}))),
            )
            with self._guard:
                self._writes += 1
                prune = self._writes % 1000 == 0
            if prune:
                conn.execute("delete from log_events where ts < now() - %s", (RETENTION,))

    def forget(self, ref: str) -> None:
        with self._connect() as conn:
            conn.execute("delete from log_events where ref = %s", (ref,))

    def run(
        self, ref: str, duck_sql: str, sources: Iterable[str], start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        """The compiled query over the project's events in [start, end)."""
        import duckdb

        # Times are naive UTC: DuckDB's time zones need the ICU extension, which is not bundled.
        con = duckdb.connect(":memory:", config={"threads": 1, "memory_limit": "512MB"})
        try:
            for source in sorted(set(sources)):
                self._load(con, ref, source, start, end)
            # From here the query cannot reach files, extensions or the network, nor undo that.
            con.execute("set enable_external_access = false")
            con.execute("set lock_configuration = true")
            timer = threading.Timer(QUERY_SECONDS, con.interrupt)
            timer.start()
            try:
                cursor = con.execute(duck_sql)
                names = [column[0] for column in cursor.description or []]
                rows = cursor.fetchall()
            finally:
                timer.cancel()
            return [dict(zip(names, (jsonable(value) for value in row), strict=False)) for row in rows]
        finally:
            con.close()

    def _load(self, con: Any, ref: str, source: str, start: datetime, end: datetime) -> None:
        tree = SOURCES[source]
        extra = [(name, value) for name, value in tree.items() if name != "metadata"]
        columns = ['"id" VARCHAR', '"timestamp" TIMESTAMP', '"event_message" VARCHAR']
        columns += [f'"{name}" {value}' for name, value in extra if not isinstance(value, dict)]
        if "metadata" in tree:
            columns.append(f'"metadata" {duck_type(tree["metadata"])}[]')
        con.execute(f"create table {source} ({', '.join(columns)})")
        with self._connect() as conn:
            events = conn.execute(
                "select id, ts, event_message, identifier, metadata from log_events"
                " where ref = %s and source = %s and ts >= %s and ts < %s order by ts desc limit %s",
                (ref, source, start, end, MAX_EVENTS_PER_SOURCE),
            ).fetchall()
        if not events:
            return
        placeholders = ["?::VARCHAR", "?::TIMESTAMP", "?::VARCHAR"] + [
            "?" for name, value in extra if not isinstance(value, dict)
        ]
        if "metadata" in tree:
            structure = json.dumps(json_structure(tree["metadata"]))
            placeholders.append(f"from_json(?::JSON, '{structure}')")
        rows = []
        for event in events:
            row: list[Any] = [
                str(event["id"]),
                event["ts"].astimezone(UTC).replace(tzinfo=None),
                event["event_message"],
            ]
            row += [event["identifier"] for name, value in extra if not isinstance(value, dict)]
            if "metadata" in tree:
                row.append(json.dumps(as_lists(event["metadata"], tree["metadata"])))
            rows.append(row)
        con.executemany(f"insert into {source} values ({', '.join(placeholders)})", rows)


def utc_now() -> datetime:
    return datetime.now(UTC)
