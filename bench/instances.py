"""One PostgreSQL instance per project (issue 15): what a project costs and how fast it answers.

- create to ACTIVE_HEALTHY with the status delay at 0 (goal: p50 < 1.5 s);
- ``select 1`` through ``database/query`` against psql's own ``-c 'select 1'`` on the same
  instance (goal: ratio <= 3). psql pays a process start and a login per call, the API a
  pooled session and an HTTP request; both are measured serially, wall time per call;
- 100 concurrent API clients running ``select 1`` (goal: 0 errors, p99 <= 10x the 1-client p50),
  twice: flat out (each client calls again as soon as it has its answer: a saturation test, where
  p99 is the queue, ~ clients / throughput by Little's law, whatever the goal), and paced as
  scripts and agents call (each client starts a call every PACE_SECONDS, offsets random): the
  latency 100 clients see while the server keeps up. The clients run in a process of their own
  (bench/_load_clients.py), as real clients do: as threads of the server's process they shared its
  GIL and measured the bench (the paced run is repeated that way, to show the difference); the
  1-client p50 for the ratios is measured from that process too. ``BENCH_INSTANCES_ONLY=concurrency``
  runs only these (one project), for profiling;
- resident memory (RSS, summed over every postgres process) of 50 idle projects, running and
  then stopped (scaled to zero).
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench import _harness, _load_clients

BODY = {
    "name": "bench-instance",
    "organization_slug": "localorganization",
    "db_pass": "bench-instance-pass",
    "desired_instance_size": "micro",
}
CREATES = 7
SERIAL_CALLS = 200
CLIENTS = 100
CALLS_PER_CLIENT = 20
PACE_SECONDS = 1.0
PACED_CALLS_PER_CLIENT = 10
IDLE_PROJECTS = 50


def _server(**overrides: Any) -> Any:
    import psycopg
    from psycopg import sql

    from platformkit.localapi.config import LocalAPIConfig
    from platformkit.localapi.server import LocalAPIServer

    location = _harness._location_holder[0]
    control_db = "platformkit_localapi_bench_instances"
    with psycopg.connect(location.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(control_db)))
    root = _harness.DATA_DIR / "instances-bench"
    shutil.rmtree(root / "projects", ignore_errors=True)  # the template stays: it is built once
    config = LocalAPIConfig(
        database_url=location.url(),
        token="bench-" + secrets.token_urlsafe(16),
        status_delay_seconds=0.0,
        control_db=control_db,
        instances_dir=str(root),
        snapshot_dir=str(_harness.DATA_DIR / "snapshots-bench"),
        idle_stop_seconds=0,
        # The data path is measured here, not the gateway: 200 serial calls, and 100 clients at one
        # call a second on one project, are far over the documented 120 a minute per project (the
        # run stopped at the first 429 without this; bench/rate_limits.py measures the budgets).
        **{"rate_limit_per_window": 1_000_000, "rate_limit_logs_per_window": 1_000_000, **overrides},
    )
    return LocalAPIServer(config).start()


def _client(server: Any) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}, timeout=60)


def _create(http: httpx.Client) -> tuple[str, float]:
    started = time.perf_counter()
    ref = http.post("/v1/projects", json=BODY).json()["ref"]
    while http.get(f"/v1/projects/{ref}").json()["status"] != "ACTIVE_HEALTHY":
        time.sleep(0.01)
    return ref, time.perf_counter() - started


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _query_latencies(http: httpx.Client, ref: str, calls: int) -> list[float]:
    spent = []
    for _ in range(calls):
        started = time.perf_counter()
        response = http.post(f"/v1/projects/{ref}/database/query", json={"query": "select 1"})
        spent.append(time.perf_counter() - started)
        assert response.status_code == 201, response.text
    return spent


def _psql_latencies(server: Any, ref: str, calls: int) -> list[float]:
    from platformkit.localapi.instances import binaries

    url = server.api.instances.instance(ref).direct_url(BODY["db_pass"])
    spent = []
    for _ in range(calls):
        started = time.perf_counter()
        subprocess.run([binaries.path("psql"), "-X", "-qAt", "-c", "select 1", url], check=True, capture_output=True)
        spent.append(time.perf_counter() - started)
    return spent


def _concurrent(server: Any, ref: str, *, clients: int = CLIENTS, calls: int, pace: float = 0.0, apart: bool = True):
    """Run ``clients`` API clients (see :mod:`bench._load_clients`); ``apart``: in a process of
    their own, as real clients are, else as threads of this process, beside the server (the GIL
    then serialises their HTTP work with the server's). Returns errors, latencies, wall seconds."""
    if not apart:
        outcome = _load_clients.run(server.base_url, server.token, ref, clients, calls, pace)
    else:
        command = [sys.executable, "-m", "bench._load_clients", server.base_url, server.token, ref]
        command += [str(clients), str(calls), str(pace)]
        cpu = _cpu_seconds()
        finished = subprocess.run(command, check=True, capture_output=True, text=True, cwd=_harness.BASE_DIR)
        outcome = json.loads(finished.stdout)
        _server_cpu_per_call.append((_cpu_seconds() - cpu) / len(outcome["latencies"]))
    return outcome["errors"], outcome["latencies"], outcome["seconds"]


_server_cpu_per_call: list[float] = []  # this process's CPU seconds a call, for each run apart


def _cpu_seconds() -> float:
    """CPU time of this process (the server's, when the clients run apart): unlike wall time,
    the other work of a shared machine hardly moves it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _postgres_rss_mb(root: Path) -> float:
    """RSS of every postgres process whose data dir is under ``root`` (from /proc)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if not command[0].endswith(b"postgres"):
                continue
            # backends do not carry -D: attribute by their postmaster's data dir via cwd
            if not os.readlink(f"/proc/{pid}/cwd").startswith(str(root)):
                continue
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, IndexError):
            continue
    return total / 1024


def _concurrency(server: Any, ref: str) -> dict[str, float]:
    """The 100 clients, in a process of their own (as a deployment's clients are), against the
    1-client p50 measured the same way; and the paced run again with the clients as threads of
    the server's process, the former set-up, to show what sharing one GIL cost."""
    _server_cpu_per_call.clear()
    _, one_client, _ = _concurrent(server, ref, clients=1, calls=SERIAL_CALLS)
    p50 = statistics.median(one_client)
    errors, flat, seconds = _concurrent(server, ref, calls=CALLS_PER_CLIENT)
    paced_errors, paced, _ = _concurrent(server, ref, calls=PACED_CALLS_PER_CLIENT, pace=PACE_SECONDS)
    one_cpu, flat_cpu, paced_cpu = _server_cpu_per_call
    shared_errors, shared, _ = _concurrent(server, ref, calls=PACED_CALLS_PER_CLIENT, pace=PACE_SECONDS, apart=False)
    paced_name = f"{CLIENTS} clients paced 1/{PACE_SECONDS:g} s"
    return {
        "1 client (own process): p50 (ms)": p50 * 1000,
        "1 client: throughput (calls/s)": 1 / p50,
        "server CPU a call, 1 client (ms)": one_cpu * 1000,
        f"server CPU a call, {CLIENTS} clients flat out (ms)": flat_cpu * 1000,
        f"server CPU a call, {CLIENTS} clients paced (ms)": paced_cpu * 1000,
        f"{CLIENTS} clients flat out: errors (goal 0)": errors,
        f"{CLIENTS} clients flat out: p99 (ms)": _percentile(flat, 0.99) * 1000,
        f"{CLIENTS} clients flat out: throughput (calls/s)": len(flat) / seconds,
        f"{CLIENTS} clients flat out: p99 / 1-client p50 (a queue)": _percentile(flat, 0.99) / p50,
        f"{paced_name}: errors (goal 0)": paced_errors,
        f"{paced_name}: p50 (ms)": statistics.median(paced) * 1000,
        f"{paced_name}: p99 (ms)": _percentile(paced, 0.99) * 1000,
        f"{paced_name}: p99 / 1-client p50 (goal <= 10)": _percentile(paced, 0.99) / p50,
        f"{paced_name}, clients in the server's process: errors": shared_errors,
        f"{paced_name}, clients in the server's process: p99 / 1-client p50": _percentile(shared, 0.99) / p50,
    }


def run(**overrides: Any) -> dict[str, float]:
    """Every figure; with ``BENCH_INSTANCES_ONLY=concurrency`` in the environment, one project
    and the concurrency figures alone (the part worth profiling, in seconds rather than minutes)."""
    only_concurrency = os.environ.get("BENCH_INSTANCES_ONLY") == "concurrency"
    server = _server(**overrides)
    try:
        with _client(server) as http:
            creates = [_create(http) for _ in range(1 if only_concurrency else CREATES)]
            ref = creates[0][0]
            _query_latencies(http, ref, 20)  # warm: the pool's sessions exist
            if only_concurrency:
                return _concurrency(server, ref)
            api = _query_latencies(http, ref, SERIAL_CALLS)
            psql = _psql_latencies(server, ref, SERIAL_CALLS // 4)
            one_client_p50 = statistics.median(api)
            concurrency = _concurrency(server, ref)
            refs = [ref for ref, _ in creates]
            while len(refs) < IDLE_PROJECTS:
                refs.append(_create(http)[0])
            root = Path(server.api.config.instances_path()) / "projects"
            running_mb = _postgres_rss_mb(root)
            for each in refs:
                server.api.instances.stop(each)
            stopped_mb = _postgres_rss_mb(root)
        return {
            "create to ACTIVE_HEALTHY p50 (s, delay 0)": statistics.median(t for _, t in creates),
            "database/query select 1 p50 (ms)": one_client_p50 * 1000,
            "psql -c select 1 p50 (ms)": statistics.median(psql) * 1000,
            "ratio API / psql (goal <= 3)": one_client_p50 / statistics.median(psql),
            **concurrency,
            f"RSS of {IDLE_PROJECTS} idle projects, running (MB)": running_mb,
            f"RSS of {IDLE_PROJECTS} idle projects, stopped (MB)": stopped_mb,
        }
    finally:
        server.stop()


if __name__ == "__main__":
    _harness.setup_django()
    _harness.report("Instances: one PostgreSQL per project", run())
