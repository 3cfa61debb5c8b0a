"""SQL editor downloads: the site's resident memory while a 1M-row CSV download is served
(goal: grows < 50 MB): now one call whose answer is PostgreSQL's JSON text of the rows (one
snapshot), written out as CSV a page of rows at a time, beside the way it was done before,
reading the whole result as row objects in one call and building one string. (LIMIT/OFFSET
pages kept memory flatter but lost and repeated rows when the order had ties.)

The local API runs in a process of its own (``manage.py localapi``), so the site's figure is
the site's: the peak of its VmRSS, sampled every 10 ms, over the baseline just before the
request; the API process's peak growth is shown beside it. "Before" is the earlier code path
replayed here: one read-only ``database/query`` of every row, then the CSV as one string."""

from __future__ import annotations

import csv
import gc
import io
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench import _harness

ROWS = 1_000_000
SMALLER = 200_000  # where the one-call way still finishes within the API's statement timeout
SQL = "select * from public.big"


def _rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20


def _peak_growth(call: Callable[[], Any], api_pid: int) -> tuple[float, float, float, Any]:
    """(the site's and the API's peak RSS growth in MB, seconds, what ``call`` returned or the
    exception it raised)."""
    gc.collect()
    baseline, api_baseline, peak, api_peak, done = _rss_mb(), _rss_mb(api_pid), [0.0], [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mb())
            api_peak[0] = max(api_peak[0], _rss_mb(api_pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        result: Any = call()
    except Exception as exc:  # noqa: BLE001 - the one-call way may time out: that is a figure too
        result = exc
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return max(peak[0], _rss_mb()) - baseline, max(api_peak[0], _rss_mb(api_pid)) - api_baseline, elapsed, result


@contextmanager
def _api_process() -> Iterator[tuple[str, str, int]]:
    """``manage.py localapi`` over the benchmarks' PostgreSQL: (URL, token, pid)."""
    location = _harness._location_holder[0]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = "bench-" + secrets.token_urlsafe(16)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(_harness.BASE_DIR)}
    process = subprocess.Popen(
        [
            sys.executable,
            str(_harness.BASE_DIR / "manage.py"),
            "localapi",
            "--addrport",
            f"127.0.0.1:{port}",
            "--token",
            token,
            "--database-url",
            location.url(),
            "--control-db",
            "platformkit_localapi_bench_download",
            "--status-delay",
            "0",
            # Its projects' instances and backups go under the benchmarks' directory, removed after.
            "--data",
            str(_harness.DATA_DIR / "download-api"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "the local API did not start"
                time.sleep(0.2)
        yield url, token, process.pid
    finally:
        process.terminate()
        process.wait(timeout=60)
        shutil.rmtree(_harness.DATA_DIR / "download-api", ignore_errors=True)


def run() -> dict[str, float]:
    from django.conf import settings
    from django.urls import reverse

    from platformkit.core import client as services
    from platformkit.core.exports import spreadsheet_safe
    from platformkit.sections.sql.services import as_text

    with _api_process() as (api_url, token, api_pid):
        settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_URL": api_url, "API_TOKEN": token, "READ_CACHE_SECONDS": 0}
        _harness._reset_platformkit_state()
        client = services.get_client(cached=False)
        project = _harness.new_project(client, "bench-sql-download", healthy=True)
        ref = project.ref
        client.database.query(
            ref,
            "create table public.big (id bigint primary key, name text, n int, at timestamptz);"
            f" insert into public.big select g, md5(g::text), g % 1000, now() from generate_series(1, {ROWS}) g;"
            " analyze public.big;",
        )
        browser = _harness.operator_client()
        url = reverse("platformkit:sql-run", args=[ref])

        def streamed(limit: int | None) -> int:
            sql = SQL + (f" order by id limit {limit}" if limit else "")
            response = browser.post(url, {"sql": sql, "read_only": "on", "format": "csv"})
            assert response.status_code == 200 and response.streaming, response
            lines = 0
            for chunk in response.streaming_content:
                lines += chunk.count(b"\n")
            return lines - 1

        def one_call(limit: int | None) -> int:
            """The earlier way: every row in one call, then the CSV as one string (its to_csv)."""
            sql = SQL + (f" order by id limit {limit}" if limit else "")
            rows = client.database.query(ref, sql, read_only=True)
            out = io.StringIO()
            writer = csv.writer(out)
            names = list(rows[0]) if rows else []
            writer.writerow(names)
            for row in rows:
                writer.writerow(["" if row.get(n) is None else spreadsheet_safe(as_text(row.get(n))) for n in names])
            return out.getvalue().count("\n") - 1

        figures: dict[str, float] = {"rows": ROWS}
        # The 1M-row download is 101 calls: the API allows 120 a minute for the project, so the
        # runs after it wait for the next minute.
        for label, call, limit in (
            ("1M rows, streamed", streamed, None),
            (f"{SMALLER // 1000}k rows, streamed", streamed, SMALLER),
            (f"{SMALLER // 1000}k rows, one call (before)", one_call, SMALLER),
            ("1M rows, one call (before)", one_call, None),
        ):
            growth, api_growth, seconds, result = _peak_growth(lambda call=call, limit=limit: call(limit), api_pid)
            wanted = limit or ROWS
            figures[f"{label}: site RSS growth (MB{', goal < 50' if 'streamed' in label else ''})"] = growth
            figures[f"{label}: local API RSS growth (MB)"] = api_growth
            figures[f"{label}: seconds"] = seconds
            figures[f"{label}: rows received (of {wanted})"] = result if isinstance(result, int) else 0
            if not isinstance(result, int):
                print(f"  {label} failed: {str(result)[:160]}")
            if label.startswith("1M rows, streamed"):
                time.sleep(61)
        client.projects.delete(ref)  # a 1M-row instance and its backups: gigabytes after a few runs
        return figures


if __name__ == "__main__":
    _harness.setup_django()
    _harness.report("SQL editor downloads: a 1M-row CSV", run())
