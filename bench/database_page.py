"""The Database section at scale, against the local Management API over loopback HTTP.

1. A project with 300 tables: the Database page must make at most 3 Management API calls (one
   catalog query for every table, not one per table) and render in < 1 s.
2. A table of 1M rows: any page of rows (first, middle, last) in < 300 ms, by keyset; printed
   beside the same statement run straight on the database (psycopg, no API, no page) as a ratio.
"""

from __future__ import annotations

import statistics
import time

from bench import _harness

TABLES = 300
ROWS = 1_000_000
ROUNDS = 7


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def run() -> dict[str, float]:
    import psycopg
    from django.conf import settings
    from django.urls import reverse

    from platformkit.core import client as services
    from platformkit.sections.database import services as database
    from platformkit.sections.database.forms import encode_values
    from platformkit.sections.database.statements import Order, page_query

    with _harness.local_api(status_delay_seconds=0.0):
        settings.PLATFORMKIT = {**settings.PLATFORMKIT, "READ_CACHE_SECONDS": 0}  # every view pays full price
        client = services.get_client(cached=False)
        project = _harness.new_project(client, "bench-database", healthy=True)
        ref = project.ref
        client.database.query(
            ref,
            "create table public.t1 (id bigint primary key, name text);"
            f" do $$ begin for i in 2..{TABLES} loop execute format('create table public.t%s (id bigint primary key,"
            " name text, parent bigint references public.t1 (id), created timestamptz default now())', i);"
            " end loop; end $$;",
        )
        client.database.query(
            ref,
            "create table public.big (id bigint primary key, name text, n int);"
            f" insert into public.big select g, md5(g::text), g % 1000 from generate_series(1, {ROWS}) g;"
            " analyze public.big;",
        )

        browser = _harness.operator_client()
        index = reverse("platformkit:database", args=[ref])
        assert browser.get(index).status_code == 200
        counter = _harness.UpstreamCallCounter()
        with counter.counting():
            response = browser.get(index)
        assert response.status_code == 200 and response.content.decode().count("data-table=") == TABLES + 1
        calls = counter.count
        page_time = statistics.median(_timed(lambda: browser.get(index)) for _ in range(ROUNDS))

        table = database.table(ref, "public", "big")
        assert table is not None
        base = reverse("platformkit:database-table", args=[ref]) + "?schema=public&table=big"
        location = _harness._location_holder[0]
        direct_url = location.url(f"project_{ref}")
        figures: dict[str, float] = {
            "tables": TABLES,
            "Database page: Management API calls (goal <= 3)": calls,
            "Database page (ms, goal < 1000)": page_time * 1000,
            # What any page pays per call, whatever it reads: the ratio below is mostly this.
            "one database/query round trip, select 1 (ms)": statistics.median(
                _timed(lambda: client.database.query(ref, "select 1", read_only=True)) for _ in range(ROUNDS)
            )
            * 1000,
        }
        with psycopg.connect(direct_url) as conn:
            for label, after in (("first", None), ("middle", ROWS // 2), ("last", ROWS - 50)):
                url = base + (f"&after={encode_values([str(after)])}" if after is not None else "")
                assert browser.get(url).status_code == 200
                view = statistics.median(_timed(lambda url=url: browser.get(url)) for _ in range(ROUNDS))
                statement = page_query(table, Order(), [], cursor=[str(after)] if after is not None else None)
                cursor = psycopg.RawCursor(conn)

                def straight(statement=statement, cursor=cursor) -> None:
                    cursor.execute(statement.sql.encode(), statement.parameters)
                    cursor.fetchall()

                direct = statistics.median(_timed(straight) for _ in range(ROUNDS))
                figures[f"1M rows, {label} page (ms, goal < 300)"] = view * 1000
                figures[f"1M rows, {label} page straight on the database (ms)"] = direct * 1000
                figures[f"1M rows, {label} page / straight"] = view / direct
        return figures


if __name__ == "__main__":
    _harness.setup_django()
    _harness.report("Database page: 300 tables, a 1M-row table", run())
