"""The log explorer's GET form on its own: each rule accepted and refused, with its message, and
what an invalid query keeps for the page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from platformkit.sections.logs import services as logs
from platformkit.sections.logs.forms import LogQueryForm


def test_defaults_and_templates() -> None:
    form = LogQueryForm({})
    assert form.is_valid()
    assert form.query() == logs.LogQuery(sql=logs.default_sql("edge_logs"))
    form = LogQueryForm({"template": "postgres_errors", "range": "24h", "refresh": "on"})
    assert form.is_valid()
    query = form.query()
    label, source, sql = logs.TEMPLATES["postgres_errors"]
    assert (query.source, query.sql, query.preset, query.refresh) == (source, sql, "24h", True)
    typed = LogQueryForm({"template": "errors", "sql": "select 1\n"})
    assert typed.is_valid() and typed.query().sql == "select 1\n"  # the typed SQL wins, as typed
    assert LogQueryForm({"source": "auth_logs"}).is_valid()


def test_custom_range_is_read_in_utc() -> None:
    form = LogQueryForm({"range": "custom", "start": " 2026-01-01T00:00 ", "end": "2026-01-02T00:00:00Z"})
    assert form.is_valid()
    query = form.query()
    assert query.start == datetime(2026, 1, 1, tzinfo=UTC) and query.end == datetime(2026, 1, 2, tzinfo=UTC)
    assert query.window(datetime(2030, 1, 1, tzinfo=UTC)) == (query.start, query.end)
    ignored = LogQueryForm({"range": "1h", "start": "nonsense"})  # not custom: start and end are not read
    assert ignored.is_valid() and ignored.query().start is None


@pytest.mark.parametrize(
    "params, message",
    [
        ({"source": "nope"}, "Unknown source 'nope'"),
        ({"template": "nope"}, "Unknown template 'nope'"),
        ({"range": "2y"}, "Unknown range '2y'"),
        ({"range": "custom", "end": "2026-01-01T00:00"}, "Start: give a date and time, e.g. 2026-11-23T08:00"),
        ({"range": "custom", "start": "2026-01-01T00:00", "end": "soon"}, "End: give a date and time"),
        ({"range": "custom", "start": "2026-01-02", "end": "2026-01-01"}, "The start must be before the end."),
        ({"range": "custom", "start": "2026-01-01", "end": "2026-01-01"}, "The start must be before the end."),
        (
            {"range": "custom", "start": "2026-01-01", "end": "2026-01-08T00:00:01"},
            "A custom range may cover at most 7 days.",
        ),
        ({"source": "nope", "template": "nope", "range": "2y"}, "Unknown source 'nope'"),  # the first one wins
        ({"template": "nope", "range": "custom"}, "Unknown template 'nope'"),
    ],
)
def test_refused_with_the_message(params: dict[str, str], message: str) -> None:
    form = LogQueryForm(params)
    assert not form.is_valid() and form.first_error.startswith(message)


def test_an_invalid_query_keeps_what_was_given() -> None:
    form = LogQueryForm(
        {"source": "auth_logs", "range": "custom", "start": "2026-01-02", "end": "2026-01-01", "sql": "select 2"}
    )
    assert not form.is_valid()
    kept = form.kept_query()
    assert (kept.source, kept.preset, kept.sql) == ("auth_logs", "custom", "select 2")
    assert kept.start == datetime(2026, 1, 2, tzinfo=UTC) and kept.end == datetime(2026, 1, 1, tzinfo=UTC)
    bad_source = LogQueryForm({"source": "nope", "range": "7d"})
    assert not bad_source.is_valid()
    assert (bad_source.kept_query().source, bad_source.kept_query().preset, bad_source.kept_query().sql) == (
        "edge_logs",
        "7d",
        "",
    )


def test_the_source_picker_rewrites_the_sql_source_filter() -> None:
    changed = LogQueryForm(
        {
            "source": "postgres_logs",
            "shown_source": "edge_logs",
            "sql": "select id from logs\nwhere source = 'edge_logs' and event_message like '%x%'\nlimit 5",
        }
    )
    assert changed.is_valid()
    query = changed.query()
    assert query.source == "postgres_logs"
    assert query.sql == "select id from logs\nwhere source = 'postgres_logs' and event_message like '%x%'\nlimit 5"
    renamed = LogQueryForm(
        {"source": "auth_logs", "shown_source": "edge_logs", "sql": "select id from logs where source_name='edge_logs'"}
    )
    assert renamed.is_valid() and renamed.query().sql == "select id from logs where source_name='auth_logs'"
    unfiltered = LogQueryForm({"source": "function_logs", "shown_source": "edge_logs", "sql": "select id from logs"})
    assert unfiltered.is_valid()
    assert unfiltered.query().sql == "SELECT\n  id\nFROM logs\nWHERE\n  source = 'function_logs'"


def test_an_unchanged_picker_follows_the_sql() -> None:
    typed = LogQueryForm(
        {
            "source": "edge_logs",
            "shown_source": "edge_logs",
            "sql": "select id from logs where source = 'function_logs'",
        }
    )
    assert typed.is_valid()
    query = typed.query()
    assert (query.source, query.sql) == ("function_logs", "select id from logs where source = 'function_logs'")
