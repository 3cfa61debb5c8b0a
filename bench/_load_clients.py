"""API clients calling ``select 1`` through ``database/query``, in a process of their own.

The benchmarks start this module as a subprocess so that the clients do not share the server's
interpreter: in one process the GIL serialises the clients' HTTP work with the server's, and the
latency measured is the benchmark's own. Each client is a thread with its own ``httpx.Client``
(its own connection); ``pace`` 0 is flat out, else each client starts a call every ``pace``
seconds after a random offset, as independent clients' calls spread.

``python -m bench._load_clients BASE_URL TOKEN REF CLIENTS CALLS PACE`` prints one JSON object:
``errors``, ``latencies`` (seconds, one per call) and ``seconds`` (wall time of the whole run).
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time

import httpx


def run(base_url: str, token: str, ref: str, clients: int, calls: int, pace: float) -> dict[str, object]:
    errors, spent, lock = 0, [], threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def one_client() -> None:
        nonlocal errors
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
            barrier.wait()
            next_call = time.perf_counter() + random.uniform(0, pace)
            for _ in range(calls):
                if pace:
                    time.sleep(max(0.0, next_call - time.perf_counter()))
                    next_call += pace
                begun = time.perf_counter()
                try:
                    response = http.post(f"/v1/projects/{ref}/database/query", json={"query": "select 1"})
                    ok = response.status_code == 201
                except httpx.HTTPError:
                    ok = False
                with lock:
                    spent.append(time.perf_counter() - begun)
                    errors += not ok

    threads = [threading.Thread(target=one_client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return {"errors": errors, "latencies": spent, "seconds": time.perf_counter() - started}


if __name__ == "__main__":
    base_url, token, ref, clients, calls, pace = sys.argv[1:7]
    print(json.dumps(run(base_url, token, ref, int(clients), int(calls), float(pace))))
