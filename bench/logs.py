"""Logs: 1M events over 24 hours in one project; the explorer's default query and its histogram
for the 24-hour window, through the local API over HTTP (SQL read as ClickHouse, transpiled,
run on the project's DuckDB file, answered as JSON), against the same compiled query run on the
DuckDB file directly. Goals: each < 1 s, and each within 10x of the engine.

The events go in through the store's own batched path (``record_many``), as the local API's
writer appends them, timed too."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from bench import _harness

EVENTS = 1_000_000
ROUNDS = 5
SHARES = (("edge_logs", 0.6), ("postgres_logs", 0.3), ("function_logs", 0.1))


def _timed(call) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _fill(store, ref: str, end: datetime) -> float:  # type: ignore[no-untyped-def]
    from platformkit.localapi.logs.store import event

    first = end - timedelta(hours=24) + timedelta(seconds=1)  # all inside the window [end - 24 h, end)
    step = (timedelta(hours=24) - timedelta(seconds=2)) / EVENTS
    started = time.perf_counter()
    batch = []
    for i in range(EVENTS):
        share = i % 10
        source = SHARES[0][0] if share < 6 else SHARES[1][0] if share < 9 else SHARES[2][0]
        at = first + step * i
        if source == "edge_logs":
            status = (200, 200, 200, 201, 404, 500)[i % 6]
            metadata = {
                "request": {"method": "GET", "path": f"/rest/v1/table_{i % 40}", "headers": {"x_real_ip": "10.0.0.1"}},
                "response": {"status_code": status, "origin_time": i % 1500},
            }
            message = f"GET | {status} | 10.0.0.1 | /rest/v1/table_{i % 40}"
        elif source == "postgres_logs":
            metadata = {"host": "db", "parsed": {"error_severity": "LOG", "query": f"select {i}"}}
            message = f"statement: select {i}"
        else:
            metadata = {"level": "log", "function_id": "f1", "event_type": "Log"}
            message = f"line {i}"
        batch.append(event(source, message, metadata, identifier=ref, at=at))
        if len(batch) == 10_000:
            store.record_many(ref, batch)
            store.flush(ref)
            batch = []
    store.record_many(ref, batch)
    store.flush(ref)
    return time.perf_counter() - started


def run() -> dict[str, float]:
    from django.urls import reverse

    from platformkit.core import client as services
    from platformkit.localapi.logs import clickhouse
    from platformkit.sections.logs.services import default_sql, histogram_query

    with _harness.local_api(status_delay_seconds=0.0) as server:
        client = services.get_client(cached=False)
        organization = client.organizations.list()[0]
        project = client.projects.create(
            name="bench-logs",
            organization_slug=organization.slug,
            db_pass="Bench-pass-0123456789-abcdefgh",
            region_selection={"type": "smartGroup", "code": "americas"},
        )
        ref = project.ref
        store = server.api.logs.events  # type: ignore[attr-defined]
        end = datetime.now(UTC).replace(second=0, microsecond=0)
        start = end - timedelta(hours=24)
        fill_seconds = _fill(store, ref, end)
        total = client.analytics.logs(ref, sql="select count() as n from logs", start=start, end=end).result[0]["n"]
        assert total == EVENTS, total  # exact, at this volume

        queries = {"default query": default_sql("edge_logs"), "histogram": histogram_query("edge_logs", "hour")}
        figures: dict[str, float] = {"events": EVENTS, "events appended per second": EVENTS / fill_seconds}
        for name, sql in queries.items():
            answer = client.analytics.logs(ref, sql=sql, start=start, end=end)
            assert answer.error is None and answer.result, answer.error
            api = statistics.median(
                _timed(lambda sql=sql: client.analytics.logs(ref, sql=sql, start=start, end=end)) for _ in range(ROUNDS)
            )
            compiled = clickhouse.compile_query(sql, start, end)
            engine = statistics.median(_timed(lambda c=compiled: _direct(store, ref, c)) for _ in range(ROUNDS))
            figures[f"{name}: API over HTTP (ms, goal < 1000)"] = api * 1000
            figures[f"{name}: DuckDB directly (ms)"] = engine * 1000
            figures[f"{name}: API / engine (goal <= 10)"] = api / engine
        browser = _harness.operator_client()
        url = reverse("platformkit:logs", args=[ref])
        page = browser.get(url, {"range": "24h"})
        assert page.status_code == 200 and b"data-log-rows" in page.content and b"data-log-error" not in page.content
        figures["explorer page, last 24 h (ms)"] = 1000 * statistics.median(
            _timed(lambda: browser.get(url, {"range": "24h"})) for _ in range(ROUNDS)
        )
        histogram_rows = client.analytics.logs(ref, sql=queries["histogram"], start=start, end=end).result
        figures["histogram: events counted"] = sum(int(row["n"]) for row in histogram_rows)
        return figures


def _direct(store, ref: str, sql: str) -> None:  # type: ignore[no-untyped-def]
    """The compiled query on the project's DuckDB file itself: no HTTP, no parsing, no JSON."""
    cursor = store._files[ref].connection.cursor()
    try:
        cursor.execute(sql).fetchall()
    finally:
        cursor.close()


if __name__ == "__main__":
    _harness.setup_django()
    _harness.report("Logs: 1M events, 24-hour window", run())
