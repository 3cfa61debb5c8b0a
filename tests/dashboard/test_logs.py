"""The log explorer: templates, ranges (7 days in 24-hour calls), the error form, escaping,
shareable URLs and auto-refresh."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.sections.logs import services as logs
from tests.dashboard.conftest import assert_valid_html, htmx_get
from tests.dashboard.test_lifecycle import healthy


@pytest.fixture
def busy(make_project: Any, upstream: Any, api: Any) -> str:
    project = make_project("Busy")
    healthy(upstream, project.ref)
    upstream.database.query(project.ref, "select 1 as warmup")
    with contextlib.suppress(Exception):
        upstream.database.query(project.ref, "select * from public.nope")
    with contextlib.suppress(Exception):
        upstream.api_keys.get(project.ref, "missing")
    return project.ref


def test_templates_find_the_traffic(operator_client: Client, busy: str) -> None:
    url = reverse("platformkit:logs", args=[busy])
    page = operator_client.get(url)
    assert page.status_code == 200 and b"data-log-rows" not in page.content  # nothing runs before asked
    errors = operator_client.get(url, {"template": "errors", "range": "15m"})
    assert_valid_html(errors.content)
    text = errors.content.decode()
    assert f"/v1/projects/{busy}/api-keys/missing" in text and "<td>404</td>" in text
    pg = operator_client.get(url, {"template": "postgres_errors", "range": "1h"}).content.decode()
    assert "42P01" in pg and "relation &quot;public.nope&quot; does not exist" in pg
    for key in logs.TEMPLATES:
        answer = operator_client.get(url, {"template": key, "range": "1h"})
        assert answer.status_code == 200 and b"data-log-error" not in answer.content, key


def test_bad_sql_shows_the_error_and_keeps_the_query(operator_client: Client, busy: str) -> None:
    page = operator_client.get(
        reverse("platformkit:logs", args=[busy]), {"sql": "select nope from logs", "range": "1h"}
    ).content.decode()
    assert "data-log-error" in page and "nope" in page.split("data-log-error", 1)[1]
    assert ">select nope from logs</textarea>" in page
    outside = operator_client.get(
        reverse("platformkit:logs", args=[busy]), {"sql": "select * from edge_logs", "range": "1h"}
    ).content.decode()
    assert "Unknown table edge_logs; query logs" in outside
    bad_range = operator_client.get(
        reverse("platformkit:logs", args=[busy]),
        {"range": "custom", "start": "2026-01-02T00:00", "end": "2026-01-01T00:00", "sql": "select 1"},
    )
    assert (
        bad_range.status_code == 400
        and b"The start must be before the end." in bad_range.content
        and b">select 1</textarea>" in bad_range.content
    )
    # The range fields are kept too: the operator corrects the dates rather than typing them again.
    assert b'<option value="custom" selected>' in bad_range.content
    assert b'name="start" step="1" value="2026-01-02T00:00:00"' in bad_range.content


def test_log_values_are_text(operator_client: Client, busy: str, api: Any) -> None:
    api.api.logs.record(
        busy, "function_logs", "<script>alert('x')</script>", {"level": "error", "function_id": "<b>f</b>"}
    )
    page = operator_client.get(
        reverse("platformkit:logs", args=[busy]), {"template": "function_errors", "range": "15m"}
    ).content.decode()
    assert (
        "<script>alert" not in page
        and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
        and "<b>f</b>" not in page
    )


def test_seven_days_are_split_into_24_hour_calls(operator_client: Client, busy: str, api: Any) -> None:
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    api.api.logs.record(busy, "function_logs", "old line", {"level": "error", "function_id": "f"}, at=three_days_ago)
    page = operator_client.get(
        reverse("platformkit:logs", args=[busy]), {"template": "function_errors", "range": "7d"}
    ).content.decode()
    assert "old line" in page and "from 14 calls of at most 24 hours" in page  # 7 windows for rows, 7 for the histogram
    assert "data-histogram" in page and page.count('class="pk-histogram__bar"') >= 168


def test_histogram_and_shareable_refreshing_results(operator_client: Client, busy: str) -> None:
    url = reverse("platformkit:logs", args=[busy])
    params = {
        "source": "postgres_logs",
        "range": "1h",
        "refresh": "on",
        "sql": "select event_message from logs where source = 'postgres_logs' order by timestamp desc",
    }
    page = operator_client.get(url, params).content.decode()
    assert "2 postgres_logs events in the window" in page  # the warm-up statement and the failed one
    assert 'hx-trigger="every 10s"' in page
    partial = htmx_get(
        operator_client,
        url + "?" + "&".join(f"{k}={v}" for k, v in params.items() if k != "sql") + "&sql=select+1+as+one",
    )
    assert partial.content.decode().lstrip().startswith('<div id="pk-log-results"')
    assert "hx-trigger" not in operator_client.get(url, {**params, "refresh": ""}).content.decode()


def test_chunks_cover_the_window() -> None:
    end = datetime(2026, 11, 23, 12, tzinfo=UTC)
    pieces = logs.chunks(end - timedelta(days=7), end)
    assert len(pieces) == 7 and pieces[0][1] == end and pieces[-1][0] == end - timedelta(days=7)
    assert all(b - a <= timedelta(hours=24) for a, b in pieces)


def test_the_source_picker_reads_another_source(operator_client: Client, busy: str) -> None:
    url = reverse("platformkit:logs", args=[busy])
    first = operator_client.get(url, {"range": "15m"}).content.decode()
    assert 'name="shown_source" value="edge_logs"' in first
    page = operator_client.get(
        url,
        {"range": "15m", "source": "postgres_logs", "shown_source": "edge_logs", "sql": logs.default_sql("edge_logs")},
    ).content.decode()
    assert "where source = &#x27;postgres_logs&#x27;" in page and 'name="shown_source" value="postgres_logs"' in page
    assert "relation &quot;public.nope&quot; does not exist" in page  # a postgres_logs row
    assert "2 postgres_logs events in the window" in page  # the histogram counts the picked source
