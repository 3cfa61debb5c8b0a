"""The log explorer: a query (source, template or ClickHouse SQL, time range) read from the
URL, run through ``.../analytics/endpoints/logs`` — a range over 24 hours split into parallel
calls, as the API allows no more per call — and shaped for the page: columns, rows with their
full JSON, and a histogram of the source's events over the window."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from platformkit.api.errors import APIError, ValidationError
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

TEMPLATES: dict[str, tuple[str, str, str]] = {  # key -> (label, source, sql), ClickHouse SQL over `logs`
    # Each reads the id and timestamp: a row then opens its whole event.
    "errors": (
        "Requests with errors (status ≥ 400)",
        "edge_logs",
        "select id, timestamp, log_attributes['response.status_code'] as status_code,\n"
        "  log_attributes['request.path'] as path, event_message\nfrom logs\n"
        "where source = 'edge_logs' and toInt32OrZero(log_attributes['response.status_code']) >= 400\n"
        "order by timestamp desc\nlimit 100",
    ),
    "slow_requests": (
        "Slow requests (over 1 s)",
        "edge_logs",
        "select id, timestamp, log_attributes['request.method'] as method, log_attributes['request.path'] as path,\n"
        "  log_attributes['response.origin_time'] as origin_time\nfrom logs\n"
        "where source = 'edge_logs' and toInt32OrZero(log_attributes['response.origin_time']) > 1000\n"
        "order by timestamp desc\nlimit 100",
    ),
    "slow_queries": (
        "Slow queries",
        "postgres_logs",
        "select id, timestamp, event_message\nfrom logs\n"
        "where source = 'postgres_logs' and match(event_message, '^duration:')\norder by timestamp desc\nlimit 100",
    ),
    "postgres_errors": (
        "Postgres errors",
        "postgres_logs",
        "select id, timestamp, log_attributes['parsed.error_severity'] as error_severity,\n"
        "  log_attributes['parsed.sql_state_code'] as sql_state_code, event_message,\n"
        "  log_attributes['parsed.query'] as query\nfrom logs\n"
        "where source = 'postgres_logs' and log_attributes['parsed.error_severity'] in ('ERROR', 'FATAL', 'PANIC')\n"
        "order by timestamp desc\nlimit 100",
    ),
    "function_errors": (
        "Function errors",
        "function_logs",
        "select id, timestamp, log_attributes['function_id'] as function_id, log_attributes['level'] as level,"
        " event_message\nfrom logs\nwhere source = 'function_logs' and log_attributes['level'] = 'error'\n"
        "order by timestamp desc\nlimit 100",
    ),
    "auth_failures": (
        "Auth failures",
        "auth_logs",
        "select id, timestamp, log_attributes['status'] as status, log_attributes['path'] as path,\n"
        "  log_attributes['msg'] as msg, log_attributes['error'] as error\nfrom logs\n"
        "where source = 'auth_logs' and toInt32OrZero(log_attributes['status']) >= 400\n"
        "order by timestamp desc\nlimit 100",
    ),
}


def default_sql(source: str) -> str:
    return (
        "select id, timestamp, event_message, severity_text\nfrom logs\n"
        f"where source = '{source}'\norder by timestamp desc\nlimit 100"
    )


SOURCE_FILTER = re.compile(r"\b(source(?:_name)?)(\s*=\s*)'[a-z_]*'", re.IGNORECASE)


def sql_source(sql: str) -> str | None:
    """The source the SQL filters on (``where source = 'x'``), if it names one of the sources."""
    found = SOURCE_FILTER.search(sql)
    value = found.group(0).rsplit("'", 2)[-2] if found else None
    return value if value in SOURCES else None


def with_source(sql: str, source: str) -> str:
    """The SQL with its ``source`` filter(s) set to ``source`` (the source picker's change);
    SQL with no such filter gets one, so the picker always decides what is read."""
    if SOURCE_FILTER.search(sql):
        return SOURCE_FILTER.sub(lambda m: f"{m.group(1)}{m.group(2)}'{source}'", sql)
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(sql, read="clickhouse")
    except sqlglot.errors.SqlglotError:
        return sql  # the API will say what is wrong with it
    if not isinstance(tree, exp.Select):
        return sql
    return tree.where(f"source = '{source}'", dialect="clickhouse").sql(dialect="clickhouse", pretty=True)


def sql_for_source(previous: str, source: str, sql: str) -> tuple[str, str | None]:
    """The SQL box once the source picker moved from ``previous`` to ``source``, and what to tell
    the operator: the previous source's default query (or nothing) becomes the new source's;
    a query of their own is kept, only its ``source`` filter follows the picker, and they are told."""
    if not sql.strip() or sql.strip() == default_sql(previous).strip():
        return default_sql(source), None
    rewritten = with_source(sql, source)
    if rewritten == sql and sql_source(sql) != source:
        return sql, f"Your query was kept as typed: it has no source filter to set to '{source}'."
    return rewritten, f"Your query was kept; only its source filter changed, to source = '{source}'."


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
    start: datetime  # the bucket's range, within the window: clicked, it becomes the query's
    end: datetime
    slot: datetime  # the bucket's own start (before the window's, for the first)


@dataclass(frozen=True)
class Tick:
    """A time under the histogram, at ``percent`` of its width."""

    percent: float
    label: str


@dataclass
class Outcome:
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    truncated: bool = False
    calls: int = 0
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
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
    histogram_sql = histogram_query(query.source, bucket)
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
                moment = _micros(row["bucket"])
                counts[moment] = counts.get(moment, 0) + int(row["n"])
    outcome.bars, outcome.total = histogram(counts, start, end, bucket), sum(counts.values())
    outcome.ticks = axis(outcome.bars)
    return outcome


def histogram_query(source: str, bucket: str) -> str:
    """The explorer's histogram: the source's events per minute or hour (ClickHouse SQL)."""
    function = "toStartOfMinute" if bucket == "minute" else "toStartOfHour"
    return f"select {function}(timestamp) as bucket, count() as n from logs where source = '{source}' group by bucket"


def _micros(value: Any) -> int:
    """A bucket's time in microseconds: ClickHouse's DateTime text, or already a number."""
    if isinstance(value, (int, float)):
        return int(value)
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def _api_error(error: APIError) -> str:
    if isinstance(error, ValidationError):  # the endpoint refused the SQL or the window: its own words
        return f"The query was refused: {error.message}"
    return f"The Management API could not run the query: {error}"


# An event's id as the logs give it (a UUID, or the hex of one): checked whole before it is
# quoted into the SQL, since the logs endpoint takes no bound parameters.
EVENT_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
EVENT_WINDOW = timedelta(minutes=1)


def row_moment(row: dict[str, Any]) -> datetime | None:
    """A row's ``timestamp`` (microseconds, or ISO text) as a time, if it has one."""
    value = row.get("timestamp")
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(_micros(value) / 1_000_000, UTC)
    except (ValueError, TypeError, OverflowError):
        return None


@dataclass
class Event:
    fields: list[tuple[str, str]] | None = None  # (name, value as text); None: not found
    error: str | None = None


def event(ref: str, event_id: str, at: datetime) -> Event:
    """Every field of the event ``event_id`` logged about ``at`` (a minute either side)."""
    if not EVENT_ID.fullmatch(event_id):
        raise ValueError(f"not an event id: {event_id!r}")
    sql = f"select * from logs where id = '{event_id}' limit 1"
    try:
        answer = get_client(cached=False).analytics.logs(ref, sql=sql, start=at - EVENT_WINDOW, end=at + EVENT_WINDOW)
    except APIError as exc:
        return Event(error=_api_error(exc))
    if answer.error is not None:
        return Event(error=answer.error_message)
    if not answer.result:
        return Event()
    return Event([(name, _field(value)) for name, value in answer.result[0].items()])


def _field(value: Any) -> str:
    """A field's whole value as text: JSON indented, a microsecond timestamp also as a time."""
    if value is None:
        return "NULL"
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2, default=str, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(json.loads(value), indent=2, ensure_ascii=False)
        except ValueError:
            return value
    if isinstance(value, int) and len(str(value)) == 16:
        return f"{_cell(value)} UTC ({value})"
    return str(value)


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
    span = step * (-(-len(slots) // len(values)))  # seconds a bar covers (buckets merged above)
    bars = []
    for index, (value, label) in enumerate(zip(values, labels, strict=False)):
        height = round(HEIGHT * value / tallest, 2)
        begins = datetime.fromtimestamp(label, UTC)
        bars.append(
            Bar(
                round(index * width, 2),
                round(HEIGHT - height, 2),
                round(max(width - 0.5, 0.5), 2),
                height,
                value,
                begins.strftime("%Y-%m-%d %H:%M"),
                max(begins, start),
                min(begins + timedelta(seconds=span), end),
                begins,
            )
        )
    return bars


def zoomable(bar: Bar, bars: list[Bar]) -> bool:
    """Whether clicking the bar narrows the window: not when it already covers all of it."""
    return bar.end - bar.start < bars[-1].end - bars[0].start


def finest(bars: list[Bar]) -> bool:
    """Whether the bars are one minute each, the finest bucket the histogram has."""
    return bool(bars) and bars[0].end - bars[0].slot <= timedelta(minutes=1)


# Steps the axis may label by, in seconds: the first giving at most MAX_TICKS labels is used.
TICK_STEPS = (60, 300, 600, 900, 1800, 3600, 7200, 3 * 3600, 6 * 3600, 12 * 3600, 86400)
MAX_TICKS = 8


def axis(bars: list[Bar]) -> list[Tick]:
    """Round times (UTC) under the bars, placed as the bars are: a bucket's start at its left."""
    if not bars:
        return []
    origin = int(bars[0].slot.timestamp())
    per_bar = int((bars[1].slot - bars[0].slot).total_seconds()) if len(bars) > 1 else 60
    total = per_bar * len(bars)
    step = next((each for each in TICK_STEPS if total / each <= MAX_TICKS), TICK_STEPS[-1])
    ticks = []
    moment = origin // step * step + step
    while moment < origin + total:
        when = datetime.fromtimestamp(moment, UTC)
        label = when.strftime("%d %b %H:%M" if total > 86400 else "%H:%M")
        ticks.append(Tick(round(100 * (moment - origin) / total, 2), label))
        moment += step
    return ticks
