"""Usage counts from the Management API, laid out as a stacked bar chart.

``usage.api-counts`` answers one row per time bucket that had requests (the local API leaves
empty buckets out; the hosted one may send them as zeros): the chart puts each row in its slot
on a fixed grid (minutes over an hour, hours over a day or 7 days), so gaps show as gaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from platformkit.api.types import AnalyticsResult
from platformkit.core.client import get_client

# The offered periods: the API's ``interval`` value -> (label, span, bucket).
PERIODS: dict[str, tuple[str, timedelta, timedelta]] = {
    "1hr": ("1 hour", timedelta(hours=1), timedelta(minutes=1)),
    "1day": ("1 day", timedelta(days=1), timedelta(hours=1)),
    "7day": ("7 days", timedelta(days=7), timedelta(hours=1)),
}
DEFAULT_PERIOD = "1day"
# The series, bottom to top: the answer's field, its label, its colour.
SERIES = (
    ("total_rest_requests", "REST", "#3b82f6"),
    ("total_auth_requests", "Auth", "#10b981"),
    ("total_storage_requests", "Storage", "#f59e0b"),
    ("total_realtime_requests", "Realtime", "#8b5cf6"),
)
CHART_WIDTH, CHART_HEIGHT, CHART_TOP = 720, 160, 10


def api_counts(target_ref: str, interval: str) -> AnalyticsResult:
    """Rows of requests per bucket, or the API's ``error`` (``error_message``)."""
    return get_client().analytics.api_counts(target_ref, interval=interval)


def requests_count(target_ref: str) -> AnalyticsResult:
    return get_client().analytics.api_requests_count(target_ref)


def count_of(answer: AnalyticsResult) -> int:
    return sum(int(row.get("count") or 0) for row in answer.result)


@dataclass(frozen=True)
class Segment:
    series: str
    color: str
    y: float
    height: float


@dataclass(frozen=True)
class Bar:
    start: datetime
    counts: dict[str, int]  # series label -> requests
    total: int
    x: float
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    interval: str
    label: str
    bucket: timedelta
    start: datetime
    end: datetime
    totals: dict[str, int]  # series label -> requests over the period
    total: int
    peak: int
    bars: list[Bar]
    width: int
    height: int
    bar_width: float
    legend: list[tuple[str, str]]  # (label, colour)


def _instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _floor(moment: datetime, bucket: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((moment - epoch) // bucket) * bucket


def chart(interval: str, rows: list[dict[str, Any]], now: datetime | None = None) -> Chart:
    label, span, bucket = PERIODS[interval]
    end = _floor(now or datetime.now(UTC), bucket) + bucket
    start = end - span
    slots = int(span / bucket)
    grid: list[dict[str, int]] = [{name: 0 for _, name, _ in SERIES} for _ in range(slots)]
    for row in rows:
        moment = _instant(row.get("timestamp", ""))
        if moment is None or not start <= moment < end:
            continue
        slot = grid[int((_floor(moment, bucket) - start) / bucket)]
        for field, name, _ in SERIES:
            slot[name] += int(row.get(field) or 0)
    peak = max((sum(slot.values()) for slot in grid), default=0)
    scale = (CHART_HEIGHT - CHART_TOP) / (peak or 1)
    width = CHART_WIDTH / slots
    bars = []
    for index, counts in enumerate(grid):
        top, segments = float(CHART_HEIGHT), []
        for _, name, color in SERIES:
            if counts[name]:
                height = counts[name] * scale
                top -= height
                segments.append(Segment(name, color, top, height))
        bars.append(Bar(start + index * bucket, counts, sum(counts.values()), index * width + width * 0.1, segments))
    totals = {name: sum(slot[name] for slot in grid) for _, name, _ in SERIES}
    return Chart(
        interval=interval,
        label=label,
        bucket=bucket,
        start=start,
        end=end,
        totals=totals,
        total=sum(totals.values()),
        peak=peak,
        bars=bars,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        bar_width=width * 0.8,
        legend=[(name, color) for _, name, color in SERIES],
    )
