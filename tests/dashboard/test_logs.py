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
    assert 'hx-trigger="every' not in operator_client.get(url, {**params, "refresh": ""}).content.decode()


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


def _zoom_links(page: str) -> list[str]:
    import html
    import re

    return [html.unescape(link) for link in re.findall(r'<a href="(\?[^"]+)" data-zoom=', page)]


def test_the_histogram_has_a_time_axis_and_a_bar_zooms_in(operator_client: Client, busy: str, api: Any) -> None:
    import re
    from urllib.parse import parse_qs

    url = reverse("platformkit:logs", args=[busy])
    # 90 minutes back the event's hour has always ended: 50 minutes back it is the current hour
    # one time in six, and that bar ends at the window's end (now), not on the hour.
    earlier = datetime.now(UTC) - timedelta(minutes=90)
    api.api.logs.record(busy, "function_logs", "early line", {"level": "error", "function_id": "f"}, at=earlier)
    params = {"template": "function_errors", "range": "24h"}
    page = operator_client.get(url, params).content.decode()
    assert_valid_html(page)
    ticks = re.findall(r'data-tick="([^"]+)"', page)
    assert 3 <= len(ticks) <= 8 and all(re.fullmatch(r"\d\d [A-Z][a-z]{2} \d\d:00|\d\d:00", tick) for tick in ticks)
    links = _zoom_links(page)
    # Only a bar with events leads somewhere; an empty one says so and is no link.
    assert page.count('class="pk-histogram__bar"') >= 24 and 1 <= len(links) <= 2
    assert page.count("UTC: no events</title>") == page.count('class="pk-histogram__bar"') - len(links)
    # The bar holding the event is an hour wide; clicked, that hour is the query's range.
    hour = earlier.replace(minute=0, second=0, microsecond=0)
    chosen = next(link for link in links if f"start={hour:%Y-%m-%dT%H}%3A00%3A00" in link)
    query = parse_qs(chosen[1:])
    assert query["range"] == ["custom"] and query["source"] == ["function_logs"]
    assert query["end"] == [f"{hour + timedelta(hours=1):%Y-%m-%dT%H:%M:%S}"] and "early line" not in query["sql"][0]
    zoomed = operator_client.get(url + chosen).content.decode()
    assert "early line" in zoomed and '<option value="custom" selected>' in zoomed
    assert f'name="start" step="1" value="{hour:%Y-%m-%dT%H:%M:%S}"' in zoomed
    assert zoomed.count('class="pk-histogram__bar"') in (60, 61)  # an hour in minutes
    minute = _zoom_links(zoomed)
    assert len(minute) == 1 and "click a bar with events to see its minute" in zoomed
    assert all(re.fullmatch(r"\d\d:\d\d", tick) for tick in re.findall(r'data-tick="([^"]+)"', zoomed))
    # A minute is the floor: its one bar is no link, and the page says it is the finest level.
    floor = operator_client.get(url + minute[0]).content.decode()
    assert "early line" in floor and _zoom_links(floor) == [] and "one bar per minute: the finest" in floor


def test_the_source_picker_rewrites_the_sql_box(operator_client: Client, busy: str) -> None:
    """Changing the picker asks for the SQL box at once (HTMX): the previous source's default
    query becomes the new source's; a query of the operator's own is kept with its filter moved."""
    page = operator_client.get(reverse("platformkit:logs", args=[busy])).content.decode()
    sql_url = reverse("platformkit:logs-sql", args=[busy])
    assert f'hx-get="{sql_url}" hx-trigger="change" hx-include="closest form"' in page
    default = htmx_get(
        operator_client,
        sql_url,
        data={"source": "auth_logs", "shown_source": "edge_logs", "sql": logs.default_sql("edge_logs")},
    ).content.decode()
    assert f">{logs.default_sql('auth_logs')}</textarea>".replace("'", "&#x27;") in default
    assert 'name="shown_source" value="auth_logs"' in default and "data-sql-note" not in default
    own = "select id, event_message from logs\nwhere source = 'edge_logs' and event_message like '%todos%'"
    kept = htmx_get(
        operator_client, sql_url, data={"source": "postgres_logs", "shown_source": "edge_logs", "sql": own}
    ).content.decode()
    assert "where source = &#x27;postgres_logs&#x27; and event_message like &#x27;%todos%&#x27;</textarea>" in kept
    assert "Your query was kept; only its source filter changed" in kept
    broken = htmx_get(
        operator_client, sql_url, data={"source": "postgres_logs", "shown_source": "edge_logs", "sql": "selec ("}
    ).content.decode()
    assert ">selec (</textarea>" in broken and "Your query was kept as typed" in broken
    bad = htmx_get(operator_client, sql_url, data={"source": "<b>x</b>", "sql": ""})
    assert bad.status_code == 400 and bad.content == b"Choose one of the sources offered."


def test_the_range_stays_when_the_query_fails(operator_client: Client, busy: str) -> None:
    url = reverse("platformkit:logs", args=[busy])
    end = datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(hours=2)
    params = {
        "range": "custom",
        "start": f"{start:%Y-%m-%dT%H:%M:%S}",
        "end": f"{end:%Y-%m-%dT%H:%M:%S}",
        "sql": "select nope from logs",
    }
    page = operator_client.get(url, params).content.decode()
    assert "data-log-error" in page
    assert '<option value="custom" selected>' in page
    assert f'name="start" step="1" value="{params["start"]}"' in page
    assert f'name="end" step="1" value="{params["end"]}"' in page
    assert ">select nope from logs</textarea>" in page


def test_a_row_opens_its_whole_event(operator_client: Client, busy: str, api: Any) -> None:
    import re

    api.api.logs.record(busy, "function_logs", "<b>boom</b>", {"level": "error", "function_id": "<script>x</script>"})
    url = reverse("platformkit:logs", args=[busy])
    page = operator_client.get(url, {"source": "function_logs", "range": "15m"}).content.decode()
    assert "&lt;b&gt;boom&lt;/b&gt;" in page and "<b>boom</b>" not in page
    event_url = re.search(r'<details data-log-detail hx-get="([^"]+)"', page)
    assert event_url is not None
    detail = htmx_get(operator_client, event_url.group(1).replace("&amp;", "&"))
    assert detail.status_code == 200
    assert_valid_html(detail.content, fragment=True)
    text = detail.content.decode()
    fields = re.findall(r"<dt>([^<]+)</dt>", text)
    assert {"id", "timestamp", "event_message", "log_attributes", "source"} <= set(fields)
    assert "&lt;script&gt;x&lt;/script&gt;" in text and "<script>" not in text and "function_logs" in text
    # The whole page too (the row's link without JavaScript), and a made-up id is not found.
    assert operator_client.get(event_url.group(1).replace("&amp;", "&")).status_code == 200
    missing = event_url.group(1).replace("&amp;", "&").split("id=")[0] + "id=0000&at=2026-01-01T00:00:00"
    assert operator_client.get(missing).status_code == 404
    assert operator_client.get(url + "event/?id=x'y&at=2026-01-01T00:00:00").status_code == 400
    for edge in ("0001-01-01T00:00:00", "9999-12-31T23:59:59"):  # review: the search window overflowed (500)
        assert operator_client.get(url + f"event/?id=abc&at={edge}").status_code == 400
