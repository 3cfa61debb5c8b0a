"""The log explorer: a query (source, template or SQL, time range) read from the URL, run
through ``logs.all`` — a range over 24 hours split into parallel calls, as the API allows no
more per call — and shaped for the page: columns, rows with their full JSON, and a histogram of
events over the window."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from platformkit.api.errors import APIError
from platformkit.api.types import AnalyticsResult
from platformkit.core.client import get_client

SOURCES = (
    "edge_logs",
    "postgres_logs",
    "function_edge_logs",
    "function_logs",
    "auth_logs",
    "storage_logs",
    "realtime_logs",
    "postgrest_logs",
)
PRESETS = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}
PER_CALL = timedelta(hours=24)
MAX_ROWS = 1000

TEMPLATES: dict[str, tuple[str, str, str]] = {  # key -> (label, source, sql)
    "errors": (
        "Requests with errors (status ≥ 400)",
        "edge_logs",
        "select datetime(timestamp), status_code, path, event_message\nfrom edge_logs\n"
        "cross join unnest(metadata) as metadata\ncross join unnest(response) as response\n"
        "where status_code >= 400\norder by timestamp desc\nlimit 100",
    ),
    "slow_requests": (
        "Slow requests (over 1 s)",
        "edge_logs",
        "select timestamp, request.method, request.path, response.origin_time\nfrom edge_logs\n"
        "cross join unnest(metadata) as m\ncross join unnest(m.request) as request\n"
        "cross join unnest(m.response) as response\nwhere response.origin_time > 1000\n"
        "order by timestamp desc\nlimit 100",
    ),
    "slow_queries": (
        "Slow queries",
        "postgres_logs",
        "select timestamp, event_message\nfrom postgres_logs\nwhere regexp_contains(event_message, '^duration:')\n"
        "order by timestamp desc\nlimit 100",
    ),
    "postgres_errors": (
        "Postgres errors",
        "postgres_logs",
        "select timestamp, parsed.error_severity, parsed.sql_state_code, event_message, parsed.query\n"
        "from postgres_logs\n"
        "cross join unnest(metadata) as m\ncross join unnest(m.parsed) as parsed\n"
        "where parsed.error_severity in ('ERROR', 'FATAL', 'PANIC')\norder by timestamp desc\nlimit 100",
    ),
    "function_errors": (
        "Function errors",
        "function_logs",
        "select timestamp, m.function_id, m.level, event_message\nfrom function_logs\n"
        "cross join unnest(metadata) as m\nwhere m.level = 'error'\norder by timestamp desc\nlimit 100",
    ),
    "auth_failures": (
        "Auth failures",
        "auth_logs",
        "select timestamp, metadata.status, metadata.path, metadata.msg, metadata.error\nfrom auth_logs\n"
        "cross join unnest(metadata) as metadata\nwhere metadata.status >= 400\norder by timestamp desc\nlimit 100",
    ),
}


def default_sql(source: str) -> str:
    return f"select id, timestamp, event_message\nfrom {source}\norder by timestamp desc\nlimit 100"


@dataclass
class LogQuery:
    """What to run (made by ``forms.LogQueryForm`` from the URL)."""

    source: str = "edge_logs"
    sql: str = ""
    preset: str = "1h"
    start: datetime | None = None
    end: datetime | None = None
    template: str = ""
    refresh: bool = False

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        if self.preset == "custom" and self.start and self.end:
            return self.start, self.end
        return now - PRESETS[self.preset], now


def chunks(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The window cut into pieces of at most 24 hours, newest first."""
    out, cursor = [], end
    while cursor > start:
        out.append((max(start, cursor - PER_CALL), cursor))
        cursor -= PER_CALL
    return out


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str


@dataclass
class Outcome:
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    truncated: bool = False
    calls: int = 0
    bars: list[Bar] = field(default_factory=list)
    total: int = 0

    @property
    def pretty_rows(self) -> list[tuple[list[str], str]]:
        """Each row's cells as text and the whole row as indented JSON (both escaped by the template)."""
        return [
            ([_cell(row.get(column)) for column in self.columns], json.dumps(row, indent=2, default=str))
            for row in self.rows
        ]


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int) and len(str(value)) == 16:  # a microsecond timestamp
        return datetime.fromtimestamp(value / 1_000_000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)[:200]
    return str(value)[:500]


def run(ref: str, query: LogQuery, now: datetime | None = None) -> Outcome:
    """The rows (newest chunk first, capped) and the histogram, from parallel calls."""
    start, end = query.window(now or datetime.now(UTC))
    pieces = chunks(start, end)
    bucket = "minute" if end - start <= timedelta(hours=3) else "hour"
    histogram_sql = (
        f"select timestamp_trunc(timestamp, {bucket}) as bucket, count(*) as n from {query.source} group by bucket"
    )
    client = get_client(cached=False)
    calls = [lambda a=a, b=b: client.analytics.logs(ref, sql=query.sql, start=a, end=b) for a, b in pieces]
    calls += [lambda a=a, b=b: client.analytics.logs(ref, sql=histogram_sql, start=a, end=b) for a, b in pieces]
    results = client.parallel(*calls)
    outcome = Outcome(calls=len(results))
    for result in results[: len(pieces)]:
        if result.error is not None:
            return Outcome(error=_api_error(result.error), calls=len(results))
        answer: AnalyticsResult = result.value  # type: ignore[assignment]
        if answer.error is not None:
            return Outcome(error=answer.error_message, calls=len(results))
        for row in answer.result:
            for column in row:
                if column not in outcome.columns:
                    outcome.columns.append(column)
        outcome.rows.extend(answer.result)
    if len(outcome.rows) > MAX_ROWS:
        outcome.rows, outcome.truncated = outcome.rows[:MAX_ROWS], True
    counts: dict[int, int] = {}
    for result in results[len(pieces) :]:
        if result.error is None and result.value is not None and result.value.error is None:
            for row in result.value.result:
                counts[int(row["bucket"])] = counts.get(int(row["bucket"]), 0) + int(row["n"])
    outcome.bars, outcome.total = histogram(counts, start, end, bucket), sum(counts.values())
    return outcome


def _api_error(error: APIError) -> str:
    return f"The Management API could not run the query: {error}"


WIDTH, HEIGHT = 600.0, 80.0


def histogram(counts: dict[int, int], start: datetime, end: datetime, bucket: str) -> list[Bar]:
    """Bars for the SVG: one per bucket in the window, scaled to the tallest."""
    step = 60 if bucket == "minute" else 3600
    first = int(start.timestamp()) // step * step
    slots = [first + i * step for i in range(max(1, (int(end.timestamp()) - first) // step + 1))]
    if len(slots) > 400:  # a custom range in minutes would be too fine to draw: merge buckets
        factor = -(-len(slots) // 400)
        merged: dict[int, int] = {}
        for moment, count in counts.items():
            slot = (moment // 1_000_000 - first) // (step * factor)
            merged[slot] = merged.get(slot, 0) + count
        slots_count = -(-len(slots) // factor)
        values = [merged.get(i, 0) for i in range(slots_count)]
        labels = [first + i * step * factor for i in range(slots_count)]
    else:
        values = [counts.get(slot * 1_000_000, 0) for slot in slots]
        labels = slots
    tallest = max(values) or 1
    width = WIDTH / len(values)
    bars = []
    for index, (value, label) in enumerate(zip(values, labels, strict=False)):
        height = round(HEIGHT * value / tallest, 2)
        bars.append(
            Bar(
                round(index * width, 2),
                round(HEIGHT - height, 2),
                round(max(width - 0.5, 0.5), 2),
                height,
                value,
                datetime.fromtimestamp(label, UTC).strftime("%Y-%m-%d %H:%M"),
            )
        )
    return bars
