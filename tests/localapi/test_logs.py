"""Logs over the project's real activity, through both endpoints over the one store: ``logs``
(ClickHouse SQL over the unified table: the MCP server's own queries, the window rules, the 400
refusals) and the deprecated ``logs.all`` (BigQuery style: the seed's query, the error form);
no file access from log SQL; exact counts; retention; a crash loses only the unflushed buffer."""

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
    # A statement slower than log_min_duration_statement has a second line, its duration (CI's
    # busy machine took 105 ms for this CREATE TABLE): the statement's own line is still there.
    created = [row for row in rows if row["query"] == "create table public.logged (id int primary key)"]
    assert created[0]["event_message"] == "statement: create table public.logged (id int primary key)"
    assert created[0]["error_severity"] == "LOG"
    assert all(row["event_message"].startswith("duration: ") for row in created[1:]), created
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
    """Behind the SQL checks, each project's DuckDB runs with external access off and its settings locked."""
    import duckdb

    store = localapi.api.logs.events  # type: ignore[attr-defined]
    for sql in ("select * from read_text('/etc/passwd')", "set enable_external_access = true"):
        with pytest.raises(duckdb.Error, match="disabled|locked|external"):
            store.query(active_project["ref"], sql)


def test_slow_statements_get_a_duration_line(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    http.post(f"/v1/projects/{ref}/database/query", json={"query": "select pg_sleep(0.15)"})
    rows = logs(
        http, ref, "select event_message from postgres_logs where regexp_contains(event_message, '^duration:')"
    )["result"]
    assert len(rows) == 1 and rows[0]["event_message"].endswith("ms  statement: select pg_sleep(0.15)")


# The unified ClickHouse endpoint


def unified(http: httpx.Client, ref: str, sql: str | None = None, minutes: float = 5) -> httpx.Response:
    now = datetime.now(UTC)
    window = {
        "iso_timestamp_start": (now - timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
        "iso_timestamp_end": (now + timedelta(seconds=5)).isoformat().replace("+00:00", "Z"),
    }
    return http.get(f"/v1/projects/{ref}/analytics/endpoints/logs", params={**window, **({"sql": sql} if sql else {})})


# The SQL the MCP server 0.13 sends for get_logs (service "api" and "postgres").
MCP_API = (
    "select id, log_attributes['identifier'] as identifier, timestamp, event_message,"
    " log_attributes['request.method'] as method, log_attributes['request.path'] as path,"
    " log_attributes['response.status_code'] as status_code\nfrom logs\nwhere source = 'edge_logs'\n"
    "order by timestamp desc\nlimit 100"
)
MCP_POSTGRES = (
    "select log_attributes['identifier'] as identifier, timestamp, id, event_message,"
    " log_attributes['parsed.error_severity'] as error_severity\nfrom logs\nwhere source = 'postgres_logs'\n"
    "order by timestamp desc\nlimit 100"
)


def test_the_mcp_servers_queries_read_requests_and_statements(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    assert http.get(f"/v1/projects/{ref}/api-keys/nope").status_code == 404
    http.post(f"/v1/projects/{ref}/database/query", json={"query": "select * from public.missing_table"})
    answer = unified(http, ref, MCP_API)
    assert answer.status_code == 200, answer.text
    rows = answer.json()["result"]
    assert rows[0]["method"] == "POST" and rows[0]["path"] == f"/v1/projects/{ref}/database/query"
    missing = next(row for row in rows if row["path"] == f"/v1/projects/{ref}/api-keys/nope")
    assert missing["status_code"] == "404" and missing["identifier"] == ref  # Map(String, String): text
    # ClickHouse prints DateTime64(6) as text; newest first.
    assert datetime.fromisoformat(rows[0]["timestamp"]) >= datetime.fromisoformat(rows[-1]["timestamp"])
    assert len(rows[0]["timestamp"]) == len("2026-01-01 00:00:00.000000")
    postgres = unified(http, ref, MCP_POSTGRES).json()["result"]
    assert postgres[0]["error_severity"] == "ERROR"
    assert postgres[0]["event_message"] == 'relation "public.missing_table" does not exist'


def test_sources_columns_and_clickhouse_functions(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    http.post(f"/v1/projects/{ref}/database/query", json={"query": "select 1 as one"})
    http.get(f"/v1/projects/{ref}/secrets")
    sources = unified(http, ref, "select distinct source from logs order by source").json()["result"]
    assert {"source": "edge_logs"} in sources and {"source": "postgres_logs"} in sources
    # The changelog's name for the column works as well.
    by_name = unified(http, ref, "select count() as n from logs where source_name = 'postgres_logs'").json()
    assert by_name["result"][0]["n"] >= 1
    sql = (
        "select toStartOfMinute(timestamp) as minute, countIf(severity_text = 'WARN') as warnings,"
        " count() as total, toInt32(max(log_attributes['response.status_code'])) as worst"
        " from logs where source = 'edge_logs' group by minute order by minute"
    )
    answer = unified(http, ref, sql)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] and set(answer.json()["result"][0]) == {"minute", "warnings", "total", "worst"}
    nested = unified(
        http, ref, "select log_attributes['parsed.query'] as q from logs where source = 'postgres_logs'"
    ).json()["result"]
    assert {"q": "select 1 as one"} in nested


def test_default_is_edge_logs_of_the_last_minute(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    http.get(f"/v1/projects/{ref}/health", params={"services": "db"})
    rows = http.get(f"/v1/projects/{ref}/analytics/endpoints/logs").json()["result"]
    assert rows and rows[0]["log_attributes"]["request.method"] == "GET"
    assert set(rows[0]) == {"id", "timestamp", "event_message", "log_attributes"}


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select * from file('/etc/passwd')", "Table functions are not allowed"),
        ("select * from url('http://127.0.0.1/', CSV)", "Table functions are not allowed"),
        ("select * from numbers(10)", "Table functions are not allowed"),
        ("select * from system.tables", "Unknown table system.tables"),
        ("select * from edge_logs", "Unknown table edge_logs; query logs"),
        ("select * from main.log_events", "Unknown table"),
        ("select * from logs join other on 1 = 1", "Unknown table other"),
        ("with logs as (select 1) select * from logs", "may not be named logs"),
        ("insert into logs (id) values ('x')", "Only SELECT"),
        ("drop table logs", "Only SELECT"),
        ("alter table logs delete where 1", "Only SELECT"),
        ("select 1; select 2", "exactly one"),
        ("selec 1", "Syntax error"),
        ("select nope from logs", "nope"),
    ],
)
def test_unified_refusals_are_400s_with_a_message(
    http: httpx.Client, active_project: dict, sql: str, expected: str
) -> None:
    answer = unified(http, active_project["ref"], sql)
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["result"] == [] and expected in body["message"] and body["error"]["message"] == body["message"]


def test_unified_window_rules(http: httpx.Client, active_project: dict) -> None:
    url = f"/v1/projects/{active_project['ref']}/analytics/endpoints/logs"
    too_long = http.get(
        url, params={"iso_timestamp_start": "2025-03-23T00:00:00Z", "iso_timestamp_end": "2025-03-24T00:01:00Z"}
    )
    assert too_long.status_code == 400 and "at most 24 hours" in too_long.json()["message"]
    bad = http.get(url, params={"iso_timestamp_start": "yesterday"})
    assert bad.status_code == 400 and "ISO 8601" in bad.json()["message"]
    old = http.get(
        url, params={"iso_timestamp_start": "2025-03-23T00:00:00Z", "iso_timestamp_end": "2025-03-23T01:00:00Z"}
    )
    assert old.status_code == 200 and old.json() == {"result": []}


def test_counts_are_exact_beyond_any_cap(localapi: object, active_project: dict, http: httpx.Client) -> None:
    """The old store loaded at most 200 000 events per source for a query; now every event counts."""
    from platformkit.localapi.logs.store import event

    ref = active_project["ref"]
    store = localapi.api.logs.events  # type: ignore[attr-defined]
    base = datetime.now(UTC) - timedelta(minutes=3)
    store.record_many(
        ref,
        [
            event("function_logs", f"line {i}", {"level": "info"}, at=base + timedelta(microseconds=i))
            for i in range(205_000)
        ],
    )
    rows = unified(
        http,
        ref,
        "select count() as n, uniqExact(event_message) as distinct_lines from logs where source = 'function_logs'",
    ).json()
    assert rows["result"] == [{"n": 205_000, "distinct_lines": 205_000}], rows


def test_retention_prunes_old_events(tmp_path: object) -> None:
    from platformkit.localapi.logs import store as logstore

    store = logstore.LogStore(tmp_path)  # type: ignore[arg-type]
    try:
        now = datetime.now(UTC)
        store.record("abcdefghijklmnopqrst", logstore.event("edge_logs", "old", at=now - timedelta(days=8)))
        store.record("abcdefghijklmnopqrst", logstore.event("edge_logs", "new", at=now))
        store.flush()  # the first append of a file also prunes it
        rows = store.query("abcdefghijklmnopqrst", f"select event_message from {logstore.TABLE}")
        assert rows == [{"event_message": "new"}]
    finally:
        store.close()


CRASHING_WRITER = """
import os, sys
from pathlib import Path
from platformkit.localapi.logs import store as s
store = s.LogStore(Path(sys.argv[1]))
store.record_many("abcdefghijklmnopqrst", [s.event("edge_logs", f"kept {i}") for i in range(3000)])
store.flush("abcdefghijklmnopqrst")  # appended (a sleep for the writer to do it failed on a starved machine)
# Killed with one event buffered: holding the file's write lock keeps the writer from appending it first.
with store._files["abcdefghijklmnopqrst"].write_lock:
    store.record("abcdefghijklmnopqrst", s.event("edge_logs", "buffered"))
    os.kill(os.getpid(), 9)
"""


def test_a_crash_loses_only_what_was_not_flushed(tmp_path: object) -> None:
    import subprocess
    import sys

    from platformkit.localapi.logs import store as logstore

    done = subprocess.run([sys.executable, "-c", CRASHING_WRITER, str(tmp_path)], check=False, timeout=60)
    assert done.returncode == -9
    store = logstore.LogStore(tmp_path)  # type: ignore[arg-type]
    try:
        rows = store.query(
            "abcdefghijklmnopqrst",
            f"select count(*) as n, count(*) filter (event_message = 'buffered') as late from {logstore.TABLE}",
        )
        assert rows == [{"n": 3000, "late": 0}]
    finally:
        store.close()


def test_reads_and_writes_from_many_threads(localapi: object, active_project: dict, http: httpx.Client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    ref = active_project["ref"]
    api = localapi.api  # type: ignore[attr-defined]

    def write(n: int) -> None:
        for i in range(200):
            api.logs.record(ref, "function_logs", f"thread {n} line {i}", {"level": "log"})

    def read(_: int) -> int:
        return unified(http, ref, "select count() as n from logs where source = 'function_logs'").json()["result"][0][
            "n"
        ]

    with ThreadPoolExecutor(8) as pool:
        writes = [pool.submit(write, n) for n in range(4)]
        counts = list(pool.map(read, range(20)))
        for future in writes:
            future.result()
    assert all(0 <= count <= 800 for count in counts)
    assert unified(http, ref, "select count() as n from logs where source = 'function_logs'").json()["result"] == [
        {"n": 800}
    ]
