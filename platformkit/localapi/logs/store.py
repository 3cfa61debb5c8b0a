"""The log store: one DuckDB file per project, where events are written and queried in place.

Why DuckDB and not PostgreSQL (measured on this machine, 1M events over 24 hours, see
``bench/logs.py``): the explorer's histogram (a count per hour over the window) takes ~7 ms in
DuckDB and ~80 ms (one source) to ~370 ms (all sources) in PostgreSQL with a ``(ref, source,
ts)`` index; a filter on a ``log_attributes`` key ~60 ms against ~220 ms on jsonb. DuckDB also
has ClickHouse's ``Map(String, String)`` as a native MAP type, sqlglot transpiles ClickHouse to
it closely, and it runs the caller's SQL with external access switched off and its settings
locked, so a project's SQL reaches nothing but its own file.

Writes: :meth:`LogStore.record` only appends to a per-project buffer; one writer thread per
store appends the buffers in batches (a single ``insert ... select unnest(...)``), at the latest
every :data:`FLUSH_SECONDS` or when a buffer holds :data:`FLUSH_EVENTS`. A query flushes its
project's buffer first, so a caller always reads what was recorded before it asked. Each batch
is one DuckDB transaction, committed to the file's write-ahead log: a crash loses at most the
events still buffered — those recorded in the last ``FLUSH_SECONDS`` (0.2 s), and never more
than ``FLUSH_EVENTS`` per project — and never a committed batch.

One process owns a directory of log files (DuckDB locks a file it has open for writing);
within that process every thread shares one database instance per project, each query on its
own cursor."""

from __future__ import annotations

import atexit
import json
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from .sources import SOURCES, as_lists, flatten, severity

logger = logging.getLogger("platformkit.localapi.logs")

RETENTION = timedelta(days=7)
PRUNE_EVERY = timedelta(minutes=10)
FLUSH_SECONDS = 0.2
FLUSH_EVENTS = 1000
QUERY_SECONDS = 10.0
MAX_OPEN = 32  # open project files; the least recently used idle one is closed beyond this
TABLE = "main.log_events"  # schema-qualified, so no CTE the caller names can stand in for it

SCHEMA_SQL = f"""
create table if not exists {TABLE} (
    id VARCHAR not null,
    timestamp TIMESTAMP not null,  -- UTC (DuckDB's time zones need ICU, which is not bundled)
    source VARCHAR not null,
    event_message VARCHAR not null,
    severity_text VARCHAR,
    log_attributes MAP(VARCHAR, VARCHAR) not null,  -- nested fields by dotted path, as ClickHouse's logs table
    metadata VARCHAR not null  -- the same fields nested as logs.all shows them (JSON lists of structs)
);
"""

# ClickHouse functions sqlglot leaves as they are, defined once per file for DuckDB.
MACROS = {
    "toString(x)": "cast(x as varchar)",
    "toInt32(x)": "try_cast(x as integer)",
    "toInt64(x)": "try_cast(x as bigint)",
    "toUInt32(x)": "try_cast(x as ubigint)",
    "toUInt64(x)": "try_cast(x as ubigint)",
    "toFloat64(x)": "try_cast(x as double)",
    "toInt32OrNull(x)": "try_cast(x as integer)",
    "toInt64OrNull(x)": "try_cast(x as bigint)",
    "toFloat64OrNull(x)": "try_cast(x as double)",
    "toInt32OrZero(x)": "coalesce(try_cast(x as integer), 0)",
    "toInt64OrZero(x)": "coalesce(try_cast(x as bigint), 0)",
    "toFloat64OrZero(x)": "coalesce(try_cast(x as double), 0)",
    "toDateTime(x)": "cast(x as timestamp)",
    "toDateTime64(x, p)": "cast(x as timestamp)",
    "toStartOfInterval(t, i)": "time_bucket(i, t)",
    "toStartOfFiveMinutes(t)": "time_bucket(interval 5 minute, t)",
    "toStartOfFifteenMinutes(t)": "time_bucket(interval 15 minute, t)",
    "toUnixTimestamp(t)": "cast(epoch(t) as bigint)",
    "mapKeys(m)": "map_keys(m)",
    "mapValues(m)": "map_values(m)",
    "mapContains(m, k)": "map_contains(m, k)",
    "uniqExact(x)": "count(distinct x)",
    "uniq(x)": "approx_count_distinct(x)",
}


def jsonable(value: Any) -> Any:
    """A DuckDB value as the API answers it: TIMESTAMP as ClickHouse prints DateTime64(6)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (bytes, uuid.UUID, timedelta)):
        return str(value)
    return value


def naive_utc(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None)


@dataclass
class Event:
    id: str
    timestamp: datetime  # naive UTC
    source: str
    event_message: str
    severity_text: str | None
    keys: list[str]
    values: list[str]
    metadata: str


def event(
    source: str,
    event_message: str,
    metadata: Mapping[str, Any] | None = None,
    *,
    identifier: str | None = None,
    at: datetime | None = None,
) -> Event:
    """One event as stored: its fields flattened for ``logs`` and nested for ``logs.all``."""
    if source not in SOURCES:
        raise ValueError(f"unknown log source {source}")
    nested = dict(metadata or {})
    attributes = flatten(nested)
    if identifier is not None:
        attributes["identifier"] = identifier
    tree = SOURCES[source].get("metadata", {})
    return Event(
        id=str(uuid.uuid4()),
        timestamp=naive_utc(at or datetime.now(UTC)),
        source=source,
        event_message=event_message[:10_000],
        severity_text=severity(source, nested),
        keys=list(attributes),
        values=list(attributes.values()),
        metadata=json.dumps(as_lists(nested, tree), default=str),
    )


@dataclass
class ProjectFile:
    """One project's open database: the writer's cursor and the events not yet appended."""

    path: Path
    connection: Any
    pending: list[Event] = field(default_factory=list)
    users: int = 0  # queries running on it (it is not closed under them)
    pruned_at: datetime = field(default_factory=lambda: datetime.min)
    write_lock: threading.Lock = field(default_factory=threading.Lock)


_SHARED: dict[Path, LogStore] = {}
_SHARED_LOCK = threading.Lock()


class LogStore:
    @classmethod
    def shared(cls, directory: Path) -> LogStore:
        """The process's store for ``directory``: every local API instance over the same files
        shares it, so each file has one writer and one database instance."""
        key = directory.resolve()
        with _SHARED_LOCK:
            store = _SHARED.get(key)
            if store is None or store._closed:
                store = _SHARED[key] = cls(key)
                atexit.register(store.close)  # what is still buffered goes in on a normal exit
            return store

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._files: OrderedDict[str, ProjectFile] = OrderedDict()
        self._lock = threading.Lock()  # guards _files and every pending list
        self._wake = threading.Event()
        self._closed = False
        self._writer = threading.Thread(target=self._write_loop, name="log-store-writer", daemon=True)
        self._writer.start()

    # Writing

    def record(self, ref: str, item: Event) -> None:
        self.record_many(ref, [item])

    def record_many(self, ref: str, items: list[Event]) -> None:
        with self._lock:
            project = self._open(ref)
            project.pending.extend(items)
            full = len(project.pending) >= FLUSH_EVENTS
        if full:
            self._wake.set()

    def flush(self, ref: str | None = None) -> None:
        """Append what is buffered (one project's, or every project's) now."""
        with self._lock:
            refs = [ref] if ref is not None else list(self._files)
            targets = [(r, self._files[r]) for r in refs if r in self._files]
        for name, project in targets:
            self._append(name, project)

    def _append(self, ref: str, project: ProjectFile) -> None:
        with project.write_lock:  # one writer per file: batches go in whole and in order
            with self._lock:
                batch, project.pending = project.pending, []
            if batch:
                cursor = project.connection.cursor()
                try:
                    cursor.execute(
                        f"insert into {TABLE} select unnest($1), unnest($2), unnest($3), unnest($4), unnest($5),"
                        " map(unnest($6), unnest($7)), unnest($8)",
                        [
                            [e.id for e in batch],
                            [e.timestamp for e in batch],
                            [e.source for e in batch],
                            [e.event_message for e in batch],
                            [e.severity_text for e in batch],
                            [e.keys for e in batch],
                            [e.values for e in batch],
                            [e.metadata for e in batch],
                        ],
                    )
                finally:
                    cursor.close()
            now = datetime.now(UTC).replace(tzinfo=None)
            if now - project.pruned_at >= PRUNE_EVERY:
                project.pruned_at = now
                cursor = project.connection.cursor()
                try:
                    cursor.execute(f"delete from {TABLE} where timestamp < $1", [now - RETENTION])
                finally:
                    cursor.close()

    def _write_loop(self) -> None:
        while not self._closed:
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # a bad batch must not stop the writer; the next ones still go in
                logger.exception("appending log events failed")
            self._close_idle()

    # Reading

    def query(self, ref: str, sql: str, convert: Callable[[Any], Any] = jsonable) -> list[dict[str, Any]]:
        """Run DuckDB SQL (over ``main.log_events``) on the project's file, after appending its
        buffer; each value passed through ``convert``."""
        with self._lock:
            project = self._open(ref)
            project.users += 1
        try:
            self._append(ref, project)
            cursor = project.connection.cursor()
            timer = threading.Timer(QUERY_SECONDS, cursor.interrupt)
            timer.start()
            try:
                result = cursor.execute(sql)
                names = [column[0] for column in result.description or []]
                rows = result.fetchall()
            finally:
                timer.cancel()
                cursor.close()
            return [dict(zip(names, (convert(value) for value in row), strict=False)) for row in rows]
        finally:
            with self._lock:
                project.users -= 1

    # Files

    def _open(self, ref: str) -> ProjectFile:
        """The project's open file (opened and set up on first use); call holding ``_lock``."""
        project = self._files.get(ref)
        if project is not None:
            self._files.move_to_end(ref)
            return project
        import duckdb

        if not ref.isalnum():
            raise ValueError(f"not a project ref: {ref!r}")
        path = self.directory / f"{ref}.duckdb"
        connection = duckdb.connect(
            str(path),
            config={
                # From the start the file's SQL reaches no other file, extension or network,
                # and no statement can change that.
                "enable_external_access": False,
                "autoload_known_extensions": False,
                "threads": 2,
                "memory_limit": "512MB",
            },
        )
        connection.execute(SCHEMA_SQL)
        for signature, body in MACROS.items():
            connection.execute(f"create or replace macro {signature} as {body}")
        connection.execute("set lock_configuration = true")
        project = ProjectFile(path, connection)
        self._files[ref] = project
        return project

    def _close_idle(self) -> None:
        with self._lock:
            idle = [ref for ref, p in self._files.items() if p.users == 0 and not p.pending]
            for ref in idle[: max(0, len(self._files) - MAX_OPEN)]:
                self._files.pop(ref).connection.close()

    def forget(self, ref: str) -> None:
        """Drop a deleted project's events and its file."""
        with self._lock:
            project = self._files.pop(ref, None)
        if project is not None:
            with project.write_lock:
                project.connection.close()
        for suffix in ("", ".wal"):
            (self.directory / f"{ref}.duckdb{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        self._writer.join(timeout=5)
        self.flush()
        with self._lock:
            for project in self._files.values():
                project.connection.close()
            self._files.clear()


def utc_now() -> datetime:
    return datetime.now(UTC)
