"""Upload memory: the client's peak Python allocation while deploying a 50 MB function
bundle, as a ratio of the bundle's size.

The files are streamed from disk by httpx (the core only describes the multipart body), so the
peak should be a small fraction of the bundle, not one or two copies of it. The receiving end
is a tiny loopback server that reads and discards the body (the local API refuses bundles over
20 MB, as the hosted platform does)."""

from __future__ import annotations

import json
import os
import tempfile
import threading
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUNDLE_BYTES = 50 * 1024 * 1024
ANSWER = json.dumps({"id": "f", "slug": "big", "name": "big", "status": "ACTIVE", "version": 1}).encode()


class Sink(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        left = int(self.headers["Content-Length"])
        while left:
            left -= len(self.rfile.read(min(left, 1 << 20)))
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)

    def log_message(self, *args: object) -> None:
        pass


def run() -> dict[str, float]:
    from platformkit.api import ManagementClient

    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as folder:
        big = os.path.join(folder, "data.bin")
        with open(big, "wb") as handle:
            for _ in range(BUNDLE_BYTES // (1 << 20)):
                handle.write(os.urandom(1 << 20))
        entry = os.path.join(folder, "index.ts")
        with open(entry, "w") as handle:
            handle.write("Deno.serve(() => new Response('ok'))")
        with ManagementClient(
            "bench-token", base_url=f"http://127.0.0.1:{server.server_address[1]}", timeout=60
        ) as client:
            tracemalloc.start()
            deployed = client.functions.deploy(
                "abcdefghijklmnopqrst", "big", [("index.ts", entry), ("data.bin", big)], entrypoint_path="index.ts"
            )
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    server.shutdown()
    assert deployed.version == 1
    return {
        "bundle MB": BUNDLE_BYTES / 2**20,
        "client peak MB": round(peak / 2**20, 2),
        "peak / bundle (goal < 0.1)": round(peak / BUNDLE_BYTES, 3),
    }
