"""logs.all over the project's real activity: the seed's query and each dashboard template,
the time window rules, the error form, and no file access from log SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

SEED_SQL = """SELECT datetime(timestamp), status_code, path, event_message
    FROM edge_logs
    CROSS JOIN UNNEST(metadata) AS metadata
    CROSS JOIN UNNEST(response) AS response
    WHERE status_code >= 400
    ORDER BY timestamp DESC
    LIMIT 100"""


def logs(http: httpx.Client, ref: str, sql: str | None = None, minutes: float = 5, **params: str) -> dict:
    now = datetime.now(UTC)
    window = {
        "iso_timestamp_start": (now - timedelta(minutes=minutes)).isoformat(),
        "iso_timestamp_end": (now + timedelta(seconds=5)).isoformat(),
    }
    response = http.get(
        f"/v1/projects/{ref}/analytics/endpoints/logs.all", params={**window, **({"sql": sql} if sql else {}), **params}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_seeds_query_finds_the_failed_requests(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    assert http.get(f"/v1/projects/{ref}/api-keys/nope").status_code == 404
    assert http.post(f"/v1/projects/{ref}/secrets", json=[{"name": "SUPABASE_X", "value": "1"}]).status_code == 400
    assert http.get(f"/v1/projects/{ref}/secrets").status_code == 200
    answer = logs(http, ref, SEED_SQL)
    assert "error" not in answer, answer
    rows = answer["result"]
    assert [(row["status_code"], row["path"]) for row in rows] == [
        (400, f"/v1/projects/{ref}/secrets"),
        (404, f"/v1/projects/{ref}/api-keys/nope"),
    ]
    assert datetime.fromisoformat(rows[0]["f0_"]) >= datetime.now() - timedelta(
        minutes=5
    )  # datetime(timestamp): ISO text
    assert rows[0]["event_message"].startswith("POST | 400 |")


def test_timestamps_are_microseconds_and_default_sql_is_edge_logs(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    http.get(f"/v1/projects/{ref}/health", params={"services": "db"})
    rows = logs(http, ref)["result"]
    assert rows and len(str(rows[0]["timestamp"])) == 16
    assert rows[0]["metadata"][0]["request"][0]["method"] == "GET"


def test_sql_statements_and_errors_reach_postgres_logs(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    http.post(f"/v1/projects/{ref}/database/query", json={"query": "create table public.logged (id int primary key)"})
    http.post(f"/v1/projects/{ref}/database/query", json={"query": "select * from public.missing_table"})
    sql = (
        "select event_message, parsed.error_severity, parsed.sql_state_code, parsed.query from postgres_logs"
        " cross join unnest(metadata) as m cross join unnest(m.parsed) as parsed order by timestamp asc"
    )
    rows = logs(http, ref, sql)["result"]
    assert (
        rows[-2]["event_message"] == "statement: create table public.logged (id int primary key)"
        and rows[-2]["error_severity"] == "LOG"
    )
    assert rows[-1] == {
        "event_message": 'relation "public.missing_table" does not exist',
        "error_severity": "ERROR",
        "sql_state_code": "42P01",
        "query": "select * from public.missing_table",
    }
    errors = logs(
        http,
        ref,
        "select count(*) as n from postgres_logs cross join unnest(metadata) as m cross join unnest(m.parsed) as p"
        " where p.error_severity in ('ERROR', 'FATAL', 'PANIC')",
    )["result"]
    assert errors == [{"n": 1}]


def test_window_rules(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    url = f"/v1/projects/{ref}/analytics/endpoints/logs.all"
    too_long = http.get(
        url, params={"iso_timestamp_start": "2025-03-23T00:00:00Z", "iso_timestamp_end": "2025-03-24T00:00:01Z"}
    ).json()
    assert too_long["result"] == [] and "at most 24 hours" in too_long["error"]["message"]
    backwards = http.get(
        url, params={"iso_timestamp_start": "2025-03-24T00:00:00Z", "iso_timestamp_end": "2025-03-23T00:00:00Z"}
    ).json()
    assert "before" in backwards["error"]["message"]
    old = http.get(
        url, params={"iso_timestamp_start": "2025-03-23T00:00:00Z", "iso_timestamp_end": "2025-03-23T01:00:00Z"}
    ).json()
    assert old == {"result": []}  # nothing was logged then
    http.get(f"/v1/projects/{ref}")
    assert http.get(url).json()["result"]  # no range: the last minute


def test_row_cap_and_ordering(http: httpx.Client, active_project: dict, localapi: object) -> None:
    ref = active_project["ref"]
    api = localapi.api  # type: ignore[attr-defined]
    base = datetime.now(UTC) - timedelta(minutes=2)
    for index in range(1200):
        api.logs.record(
            ref,
            "function_logs",
            f"line {index}",
            {"level": "info", "function_id": "f1"},
            at=base + timedelta(microseconds=index),
        )
    rows = logs(http, ref, "select event_message from function_logs order by timestamp desc")["result"]
    assert len(rows) == 1000 and rows[0]["event_message"] == "line 1199"
    assert len(logs(http, ref, "select event_message from function_logs limit 5")["result"]) == 5


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select * from read_csv('/etc/passwd')", "Table functions are not allowed"),
        ("select * from '/etc/passwd'", "Unknown table"),
        ("copy edge_logs to '/tmp/out.csv'", "Only SELECT"),
        ("attach '/tmp/x.db' as x", "Syntax error"),
        ("select * from edge_logs, read_text('/etc/passwd')", "Table functions are not allowed"),
        ("delete from edge_logs", "Only SELECT"),
        ("select nope from edge_logs", "Unrecognized name: nope"),
        ("selec 1", "Syntax error"),
        ("select 1; select 2", "exactly one"),
    ],
)
def test_bad_or_dangerous_sql_gets_the_error_form(
    http: httpx.Client, active_project: dict, sql: str, expected: str
) -> None:
    http.get(f"/v1/projects/{active_project['ref']}")
    answer = logs(http, active_project["ref"], sql)
    assert answer["result"] == [] and expected in answer["error"]["message"], answer
    assert answer["error"]["errors"][0]["reason"] == "invalidQuery"


def test_usage_counts(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    http.get(f"/v1/projects/{ref}")
    count = http.get(f"/v1/projects/{ref}/analytics/endpoints/usage.api-requests-count").json()
    assert count["result"][0]["count"] >= 1
    counts = http.get(f"/v1/projects/{ref}/analytics/endpoints/usage.api-counts", params={"interval": "1hr"}).json()
    assert counts["result"] and set(counts["result"][0]) == {
        "timestamp",
        "total_auth_requests",
        "total_realtime_requests",
        "total_rest_requests",
        "total_storage_requests",
    }
    assert (
        http.get(f"/v1/projects/{ref}/analytics/endpoints/usage.api-counts", params={"interval": "2min"}).status_code
        == 400
    )


def test_the_engine_itself_cannot_read_files(localapi: object, active_project: dict) -> None:
    """Behind the SQL checks, DuckDB runs with external access off and its settings locked."""
    import duckdb

    events = localapi.api.logs.events  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    for sql in ("select * from read_text('/etc/passwd')", "set enable_external_access = true"):
        with pytest.raises(duckdb.Error, match="disabled|locked|external"):
            events.run(active_project["ref"], sql, ["edge_logs"], now - timedelta(minutes=1), now)


def test_slow_statements_get_a_duration_line(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    http.post(f"/v1/projects/{ref}/database/query", json={"query": "select pg_sleep(0.15)"})
    rows = logs(
        http, ref, "select event_message from postgres_logs where regexp_contains(event_message, '^duration:')"
    )["result"]
    assert len(rows) == 1 and rows[0]["event_message"].endswith("ms  statement: select pg_sleep(0.15)")
