"""SQL editor at 1M rows: the site's resident memory and time while a 1M-row CSV download is
served (goal: grows < 50 MB), and the grid's first 500 rows of ``select *`` (goal: < 1 s).

A download is one call (one snapshot) whose answer is read as it arrives and written out as
CSV in chunks; the site holds a chunk, never the result. (Before: one call whose answer was
PostgreSQL's JSON text of every row, held as one string: +230 MB for 1M rows. LIMIT/OFFSET
pages kept memory flatter but lost and repeated rows when the order had ties.)

The local API runs in a process of its own (``manage.py localapi``), so the site's figure is
the site's: the peak of its VmRSS, sampled every 10 ms, over the baseline just before the
request; the API process's peak growth is shown beside it (it builds its answer whole)."""

from __future__ import annotations

import gc
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

        def streamed(fmt: str) -> int:
            response = browser.post(url, {"sql": SQL, "read_only": "on", "format": fmt})
            assert response.status_code == 200 and response.streaming, response
            lines, last = 0, b""
            for chunk in response.streaming_content:
                lines += chunk.count(b"\n")
                last = chunk[-200:]
            assert b"INCOMPLETE" not in last, last
            return lines - (1 if fmt == "csv" else 2)  # CSV: its header line; JSON: the lines of "[" and "]"

        def grid() -> float:
            started = time.perf_counter()
            response = browser.post(url, {"sql": SQL, "read_only": "on"}, headers={"HX-Request": "true"})
            assert response.status_code == 200 and b"data-sql-capped" in response.content, response.content[:300]
            return time.perf_counter() - started

        figures: dict[str, float] = {"rows": ROWS}
        figures["grid: first 500 rows of select * (s, goal < 1, best of 3)"] = min(grid() for _ in range(3))
        for fmt in ("csv", "json"):
            growth, api_growth, seconds, result = _peak_growth(lambda fmt=fmt: streamed(fmt), api_pid)
            label = f"1M rows, {fmt.upper()} streamed"
            figures[f"{label}: site RSS growth (MB{', goal < 50' if fmt == 'csv' else ''})"] = growth
            figures[f"{label}: local API RSS growth (MB)"] = api_growth
            figures[f"{label}: seconds"] = seconds
            figures[f"{label}: rows received (of {ROWS})"] = result if isinstance(result, int) else 0
            if not isinstance(result, int):
                print(f"  {label} failed: {str(result)[:300]}")
        # The sampler's control: 200k rows read in one call and held as row objects (the way before
        # the JSON-text download) shows what holding a result costs the site.
        growth, _, seconds, held = _peak_growth(
            lambda: client.database.query(ref, f"{SQL} limit {SMALLER}", read_only=True), api_pid
        )
        figures[f"control: {SMALLER // 1000}k rows held as row objects: site RSS growth (MB)"] = growth
        del held
        client.projects.delete(ref)  # a 1M-row instance and its backups: gigabytes after a few runs
        return figures


if __name__ == "__main__":
    _harness.setup_django()
    _harness.report("SQL editor downloads: a 1M-row CSV", run())
