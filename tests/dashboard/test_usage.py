"""The Usage section against the local API: requests recorded by its gateway log (edge_logs)
counted by ``usage.api-counts`` and ``usage.api-requests-count`` and drawn as SVG bars."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.sections.usage.services import chart
from tests.dashboard.conftest import assert_valid_html


@pytest.fixture
def project_ref(api: Any, upstream: Any, make_project: Any) -> str:
    ref = make_project("Usage project").ref
    deadline = time.monotonic() + 20
    while upstream.projects.get(ref).status != "ACTIVE_HEALTHY":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return ref


def served(api: Any, ref: str, path: str, at: datetime | None = None) -> None:
    """One request through the project's gateway, as the API's edge log records it."""
    metadata = {"request": {"method": "GET", "path": path}, "response": {"status_code": 200}}
    api.api.logs.record(ref, "edge_logs", f"GET | 200 | {path}", metadata, identifier=ref, at=at)


def test_requests_per_service_over_the_last_day(operator_client: Client, project_ref: str, api: Any) -> None:
    for _ in range(3):
        served(api, project_ref, "/rest/v1/todos")
    served(api, project_ref, "/auth/v1/token")
    served(api, project_ref, "/storage/v1/object/avatars/a.png", at=datetime.now(UTC) - timedelta(hours=5))
    response = operator_client.get(reverse("platformkit:usage", args=[project_ref]))
    assert response.status_code == 200
    assert_valid_html(response.content)
    html = response.content.decode()
    assert 'data-usage="1day"' in html and "5 in the last 24 hours, per hour" in html
    assert 'data-series-total="REST">3<' in html and 'data-series-total="Auth">1<' in html
    assert 'data-series-total="Storage">1<' in html and 'data-series-total="Realtime">0<' in html
    bars = re.findall(r'<g data-start="([^"]+)" data-total="(\d+)">', html)
    assert sorted(int(total) for _, total in bars) == [1, 4]  # this hour (3 REST + 1 Auth) and 5 hours ago
    assert html.count('data-series="REST"') == 1 and html.count('data-series="Storage"') == 1
    # The 24-hour total counts every request about the project, the Management API's own too.
    total = int(re.search(r'data-day-total="(\d+)"', html).group(1))  # type: ignore[union-attr]
    assert total >= 5


def test_intervals(operator_client: Client, project_ref: str, api: Any) -> None:
    served(api, project_ref, "/rest/v1/todos", at=datetime.now(UTC) - timedelta(days=3))
    url = reverse("platformkit:usage", args=[project_ref])
    week = operator_client.get(url, {"interval": "7day"}).content.decode()
    assert 'data-usage="7day"' in week and "1 in the last 7 days, per hour" in week
    day = operator_client.get(url, {"interval": "1day"}).content.decode()
    assert "0 in the last 24 hours" in day
    hour = operator_client.get(url, {"interval": "1hr"}).content.decode()
    assert 'data-usage="1hr"' in hour and "per minute" in hour and 'aria-current="page">1 hour<' in hour
    bad = operator_client.get(url, {"interval": "2min"})
    assert bad.status_code == 400 and b"Choose one of the periods offered." in bad.content


def test_chart_lays_rows_on_a_fixed_grid() -> None:
    now = datetime(2026, 1, 1, 12, 30, tzinfo=UTC)
    rows = [
        {
            "timestamp": "2026-01-01T12:00:00Z",
            "total_rest_requests": 4,
            "total_auth_requests": 0,
            "total_storage_requests": 0,
            "total_realtime_requests": 0,
        },
        {
            "timestamp": "2026-01-01T06:00:00Z",
            "total_rest_requests": 1,
            "total_auth_requests": 1,
            "total_storage_requests": 0,
            "total_realtime_requests": 0,
        },
        {
            "timestamp": "2025-12-30T06:00:00Z",
            "total_rest_requests": 9,
            "total_auth_requests": 0,
            "total_storage_requests": 0,
            "total_realtime_requests": 0,
        },  # outside the day: not drawn
    ]
    drawn = chart("1day", rows, now)
    # The axis runs over the window the API counted, up to now: 12:30 yesterday to 12:30 today,
    # 25 buckets of which the first and the current one are halves.
    assert drawn.start == now - timedelta(days=1) and drawn.end == now
    assert len(drawn.bars) == 25 and drawn.total == 6 and drawn.peak == 4
    assert drawn.bars[-1].start == datetime(2026, 1, 1, 12, tzinfo=UTC) and drawn.bars[-1].total == 4
    assert drawn.bars[0].x == drawn.bars[-1].width * 0.125 and drawn.bars[1].width == drawn.bars[0].width * 2
    assert round(drawn.bars[-1].x + drawn.bars[-1].width * 1.125, 6) == drawn.width  # ends at now, not 13:00
    tallest = drawn.bars[-1].segments[0]
    assert tallest.y == 10 and tallest.height == 150  # the peak fills the chart
    six = next(bar for bar in drawn.bars if bar.start.hour == 6)
    assert [s.series for s in six.segments] == ["REST", "Auth"] and six.segments[1].y < six.segments[0].y


def test_every_figure_counts_the_same_24_hours(operator_client: Client, project_ref: str, api: Any) -> None:
    """The day's total (every path through the gateway) is broken down into the services the
    chart draws and the other paths, over the same 24 hours, and the axis ends at now."""
    for _ in range(3):
        served(api, project_ref, "/rest/v1/todos")
    served(api, project_ref, "/auth/v1/token")
    served(api, project_ref, "/functions/v1/hello")
    served(api, project_ref, "/rest/v1/old", at=datetime.now(UTC) - timedelta(hours=30))  # outside the day
    before = datetime.now(UTC)
    url = reverse("platformkit:usage", args=[project_ref])
    for interval in ("1day", "1hr"):
        html = operator_client.get(url, {"interval": interval}).content.decode()
        assert_valid_html(html)
        assert "Requests through the project's API gateway in the last 24 hours" in html
        total = int(re.search(r'data-day-total="(\d+)"', html).group(1))  # type: ignore[union-attr]
        services = dict(re.findall(r'data-day-service="(\w+)">(\d+)<', html))
        assert services == {"REST": "3", "Auth": "1", "Storage": "0", "Realtime": "0"}, interval
        other = int(re.search(r"data-day-other>(\d+)<", html).group(1))  # type: ignore[union-attr]
        assert other == total - 4 and other >= 1  # the function call at least
        assert "REST, Auth, Storage and Realtime requests over time" in html
        assert 'data-series-total="REST">3<' in html and 'data-series-total="Auth">1<' in html
        end = datetime.fromisoformat(re.search(r'data-axis-end="([^"]+)"', html).group(1))  # type: ignore[union-attr]
        assert before - timedelta(seconds=1) <= end <= datetime.now(UTC)  # now, not the hour's end
    assert "4 in the last 24 hours, per hour" in operator_client.get(url).content.decode()
