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
    "1day": ("24 hours", timedelta(days=1), timedelta(hours=1)),
    "7day": ("7 days", timedelta(days=7), timedelta(hours=1)),
}
DEFAULT_PERIOD = "1day"
DAY = "1day"  # the window of ``usage.api-requests-count``: the last 24 hours
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


def series_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Each series' requests over all the rows the API answered (its window, not redrawn)."""
    return {name: sum(int(row.get(field) or 0) for row in rows) for field, name, _ in SERIES}


@dataclass(frozen=True)
class Segment:
    series: str
    color: str
    y: float
    height: float


@dataclass(frozen=True)
class Bar:
    start: datetime  # the bucket's own start (before the window's, for the first)
    counts: dict[str, int]  # series label -> requests
    total: int
    x: float
    width: float  # the part of the bucket inside the window: the first and the current one are partial
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    interval: str
    label: str
    bucket: timedelta
    start: datetime  # the window the API counted: the period up to now, the axis's two ends
    end: datetime
    totals: dict[str, int]  # series label -> requests over the period
    total: int
    peak: int
    bars: list[Bar]
    width: int
    height: int
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
    """The period's requests on a time axis from ``now - span`` to ``now``, the window the API
    counts: a row sits in its bucket's slot, and the first and the current bucket are drawn only
    as far as they lie inside the window (the axis never runs into the future)."""
    label, span, bucket = PERIODS[interval]
    end = now or datetime.now(UTC)
    start = end - span
    first = _floor(start, bucket)
    slots = -(-(end - first) // bucket)  # buckets touching the window, rounded up
    grid: list[dict[str, int]] = [{name: 0 for _, name, _ in SERIES} for _ in range(slots)]
    for row in rows:
        moment = _instant(row.get("timestamp", ""))
        if moment is None or not first <= moment < end:
            continue
        slot = grid[int((_floor(moment, bucket) - first) / bucket)]
        for field, name, _ in SERIES:
            slot[name] += int(row.get(field) or 0)
    peak = max((sum(slot.values()) for slot in grid), default=0)
    scale = (CHART_HEIGHT - CHART_TOP) / (peak or 1)
    per_second = CHART_WIDTH / span.total_seconds()
    bars = []
    for index, counts in enumerate(grid):
        top, segments = float(CHART_HEIGHT), []
        for _, name, color in SERIES:
            if counts[name]:
                height = counts[name] * scale
                top -= height
                segments.append(Segment(name, color, top, height))
        begins = first + index * bucket
        left, right = max(begins, start), min(begins + bucket, end)
        width = (right - left).total_seconds() * per_second
        x = (left - start).total_seconds() * per_second
        bars.append(Bar(begins, counts, sum(counts.values()), x + width * 0.1, width * 0.8, segments))
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
        legend=[(name, color) for _, name, color in SERIES],
    )


@dataclass(frozen=True)
class DayTotal:
    """The last 24 hours' requests through the project's API gateway, every path, and how many
    of them were the four services the chart draws: the rest went to other paths."""

    total: int
    services: dict[str, int]  # series label -> requests (``usage.api-counts``, interval 1day)

    @property
    def other(self) -> int | None:
        """Requests to other paths (Edge Functions, GraphQL, ...); None when the two answers
        disagree (the services counted more than the total): the page then shows no difference."""
        rest = self.total - sum(self.services.values())
        return rest if rest >= 0 else None
