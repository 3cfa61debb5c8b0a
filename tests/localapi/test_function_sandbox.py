"""The Edge Function sandbox, proven with deployed functions run by the real Deno: no loopback,
private network or this API by any name (a counting loopback server sees no request), an allowed
host works, no cookie or hop-by-hop header reaches the caller, no file outside the bundle, no
process, no environment but the function's own, no IPv6 socket."""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from platformkit.localapi.functions import headers, ipv6, sandbox
from tests.localapi.test_functions import deno_missing, deploy

PROBE = b"""
Deno.serve(async (req) => {
  const q = new URL(req.url).searchParams;
  const how = q.get("how") ?? "fetch";
  if (how === "connect") {
    const conn = await Deno.connect({ hostname: q.get("host"), port: Number(q.get("port")) });
    conn.close();
    return new Response("connected");
  }
  if (how === "import") {
    await import(q.get("url"));
    return new Response("imported");
  }
  const answer = await fetch(q.get("url"));
  return new Response(`reached ${answer.status}: ${await answer.text()}`);
});
"""


class Counter(ThreadingHTTPServer):
    hits = 0


class _Counting(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        assert isinstance(self.server, Counter)
        self.server.hits += 1
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.end_headers()
        self.wfile.write(b"counted")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def target() -> Iterator[Counter]:
    """A loopback HTTP server that counts the requests it sees."""
    server = Counter(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def probe(http: httpx.Client, localapi: Any, active_project: dict) -> str:
    """The invoke URL of a deployed function that fetches (or connects to, or imports) what it is told."""
    ref = active_project["ref"]
    assert deploy(http, ref, "probe", [("index.ts", PROBE)], verify_jwt=False).status_code == 201
    return f"{localapi.base_url}/project/{ref}/functions/v1/probe"


def _refused(response: httpx.Response) -> str:
    """The function's own error, as the invocation answers it (500 with Deno's refusal)."""
    assert response.status_code == 500, response.text
    text = response.json()["message"]
    assert "Requires net access" in text or "Requires import access" in text, text
    return text


@deno_missing
def test_loopback_by_any_name_is_refused_before_a_request_is_made(probe: str, target: Counter) -> None:
    port = target.server_address[1]
    names = ["127.0.0.1", "localhost", socket.gethostname(), "127.9.9.9", "2130706433", "0.0.0.0", "[::ffff:127.0.0.1]"]
    for name in names:
        _refused(httpx.get(probe, params={"url": f"http://{name}:{port}/"}, timeout=30))
    _refused(httpx.get(probe, params={"how": "connect", "host": "localhost", "port": port}, timeout=30))
    _refused(httpx.get(probe, params={"how": "import", "url": f"http://localhost:{port}/module.js"}, timeout=30))
    assert target.hits == 0


@deno_missing
def test_the_local_api_private_networks_and_metadata_are_refused(probe: str, localapi: Any, target: Counter) -> None:
    api = urlsplit(localapi.base_url)
    for url in (
        f"{localapi.base_url}/v1/organizations",  # this API, as the function's own SUPABASE_URL names it
        f"http://localhost:{api.port}/v1/organizations",
        f"http://{socket.gethostname()}:{api.port}/v1/projects",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/",
        "http://172.20.0.1/",
        "http://192.168.1.1/",
        "http://[::1]:80/",
    ):
        _refused(httpx.get(probe, params={"url": url}, timeout=30))
    assert target.hits == 0


@deno_missing
def test_an_allowed_host_is_reachable_but_this_api_stays_closed(probe: str, localapi: Any, target: Counter) -> None:
    functions = localapi.api.functions
    saved, functions.allowed_hosts = functions.allowed_hosts, ("localhost",)
    try:
        reached = httpx.get(probe, params={"url": f"http://localhost:{target.server_address[1]}/"}, timeout=30)
        this_api = httpx.get(
            probe, params={"url": f"http://localhost:{urlsplit(localapi.base_url).port}/v1/organizations"}, timeout=30
        )
    finally:
        functions.allowed_hosts = saved
    assert reached.status_code == 200 and reached.text == "reached 200: counted" and target.hits == 1
    _refused(this_api)


@deno_missing
def test_no_ipv6_socket_is_made_even_to_an_allowed_ipv6_host(probe: str, localapi: Any) -> None:
    """Deno denies no IPv6 range, so the process gets no IPv6 socket at all (a seccomp filter):
    an IPv6 listener here, allowed by name, stands in for another host of the machine's IPv6
    network (a unique-local gateway) and sees no connection."""
    if not socket.has_ipv6:
        pytest.skip("this kernel has no IPv6")
    listener = socket.socket(socket.AF_INET6)
    listener.bind(("::1", 0))
    listener.listen()
    listener.settimeout(0.5)
    functions = localapi.api.functions
    saved, functions.allowed_hosts = functions.allowed_hosts, ("::1",)
    try:
        answers = [
            httpx.get(probe, params={"how": "connect", "host": host, "port": listener.getsockname()[1]}, timeout=30)
            for host in ("::1", "2001:db8::1", "fd00::1")
        ]
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        functions.allowed_hosts = saved
        listener.close()
    for answer in answers:
        assert answer.status_code == 500 and "Address family not supported" in answer.text, answer.text


@deno_missing
def test_the_machines_own_network_and_gateway_are_refused(probe: str) -> None:
    """Its neighbours (the host of a VM or container, the router) even on public addresses."""
    networks, gateways = sandbox.local_networks()
    if not networks and not gateways:
        pytest.skip("this machine has no IPv4 route beyond loopback")
    for address in [*gateways, *(network[1] for network in networks if network.num_addresses > 2)]:
        _refused(httpx.get(probe, params={"url": f"http://{address}:80/"}, timeout=30))


def test_the_networks_a_machine_is_on_are_read_from_the_kernel_table(tmp_path: Path) -> None:
    table = tmp_path / "route"
    table.write_text(
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "eth0\t00000000\t014502C1\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"  # default via 193.2.69.1
        "eth0\t004502C1\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"  # 193.2.69.0/24 on eth0
        "lo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n"
    )
    networks, gateways = sandbox.local_networks(table)
    assert networks == {ipaddress.IPv4Network("193.2.69.0/24")} and gateways == {ipaddress.IPv4Address("193.2.69.1")}
    assert sandbox.local_networks(tmp_path / "missing") == (set(), set())


def test_routable_ipv6_addresses_are_read_from_the_kernel_table(tmp_path: Path) -> None:
    table = tmp_path / "if_inet6"
    table.write_text(
        "00000000000000000000000000000001 01 80 10 80       lo\n"
        "fd000000000000000000000000000002 04 40 00 82     eth0\n"
        "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n"
        "20010db8000000000000000000000007 04 40 00 80     eth0\n"
    )
    assert ipv6.routable_addresses(table) == ["fd00::2", "2001:db8::7"]  # not loopback, not link-local
    (tmp_path / "empty").write_text("")
    assert ipv6.routable_addresses(tmp_path / "empty") == []


def test_allowed_hosts_are_names_or_addresses_without_ports() -> None:
    assert sandbox.allowed_host(" MockPay.internal ") == "mockpay.internal"
    assert sandbox.allowed_host("[::1]") == "::1" and sandbox.allowed_host("10.0.0.5") == "10.0.0.5"
    for bad in ("localhost:8080", "http://localhost", "", "a b"):
        with pytest.raises(ValueError, match="function_allowed_hosts"):
            sandbox.allowed_host(bad)


COOKIES = b"""
Deno.serve(() => {
  const h = new Headers({ "content-type": "text/plain", "x-kept": "yes", "x-hop": "secret" });
  h.append("set-cookie", "sessionid=stolen; Path=/");
  h.append("set-cookie", "csrftoken=forged; Path=/");
  h.set("set-cookie2", "old=1");
  h.set("connection", "close, x-hop");
  h.set("keep-alive", "timeout=5");
  h.set("proxy-authenticate", "Basic");
  h.set("upgrade", "websocket");
  h.set("trailer", "x-trailer");
  h.set("te", "trailers");
  return new Response("cookies?", { headers: h });
});
"""

WITHHELD = ["set-cookie", "set-cookie2", "connection", "keep-alive", "proxy-authenticate", "upgrade", "trailer", "te"]


@deno_missing
def test_cookies_and_hop_by_hop_headers_never_reach_the_caller(
    http: httpx.Client, localapi: Any, active_project: dict
) -> None:
    ref = active_project["ref"]
    assert deploy(http, ref, "cookies", [("index.ts", COOKIES)], verify_jwt=False).status_code == 201
    response = httpx.get(f"{localapi.base_url}/project/{ref}/functions/v1/cookies", timeout=30)
    assert response.status_code == 200 and response.text == "cookies?" and response.headers["x-kept"] == "yes"
    assert not response.cookies and "x-hop" not in response.headers  # named by its Connection header
    assert [name for name in WITHHELD if name in response.headers and name != "connection"] == []
    assert response.headers.get("connection", "close") == "close"  # the server's own, not the function's list


ECHO = b"""
Deno.serve((req) => new Response(JSON.stringify(Object.fromEntries(req.headers)), {
  headers: { "content-type": "text/html", "content-security-policy": "default-src *" },
}));
"""


@deno_missing
def test_a_function_never_sees_the_sites_cookies_or_the_management_token(
    http: httpx.Client, localapi: Any, active_project: dict
) -> None:
    ref = active_project["ref"]
    assert deploy(http, ref, "echo", [("index.ts", ECHO)], verify_jwt=False).status_code == 201
    response = httpx.get(
        f"{localapi.base_url}/project/{ref}/functions/v1/echo",
        headers={
            "Cookie": "sessionid=OPERATOR-SESSION; csrftoken=abc",
            "X-CSRFToken": "abc",
            "Authorization": f"Bearer {localapi.token}",
            "X-Kept": "yes",
        },
        timeout=30,
    )
    seen = response.json()
    assert response.status_code == 200 and seen["x-kept"] == "yes"
    assert "cookie" not in seen and "x-csrftoken" not in seen and "authorization" not in seen
    # Its HTML cannot run scripts on whichever site serves the invoke URL.
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["x-content-type-options"] == "nosniff"
    # A function's own bearer token (an anon key, a user's JWT) still reaches it.
    other = httpx.get(
        f"{localapi.base_url}/project/{ref}/functions/v1/echo", headers={"Authorization": "Bearer user-jwt"}, timeout=30
    )
    assert other.json()["authorization"] == "Bearer user-jwt"


def test_header_filter_keeps_order_and_drops_what_connection_names() -> None:
    given = [("X-A", "1"), ("Connection", "keep-alive, X-Secret"), ("X-Secret", "s"), ("Set-Cookie", "a=1")]
    given += [("Proxy-Anything", "p"), ("Content-Length", "9"), ("X-B", "2")]
    assert headers.passed(given) == [("X-A", "1"), ("X-B", "2")]


FILES_AND_PROCESSES = b"""
const attempt = async (work) => {
  try { return `allowed: ${await work()}`; } catch (e) { return `${e.name}: ${e.message}`.slice(0, 300); }
};
Deno.serve(async (req) => {
  const { secret, marker } = await req.json();
  return Response.json({
    own: await attempt(() => Deno.readTextFile(new URL("./data.txt", import.meta.url))),
    outside: await attempt(() => Deno.readTextFile(secret)),
    importOutside: await attempt(async () =>
      JSON.stringify(await import("file://" + secret, { with: { type: "json" } }))
    ),
    write: await attempt(() => Deno.writeTextFile(new URL("./written.txt", import.meta.url), "x")),
    run: await attempt(() => new Deno.Command("sh", { args: ["-c", `touch ${marker}`] }).output()),
    nodeRun: await attempt(async () => (await import("node:child_process")).execSync(`touch ${marker}`)),
    env: Object.keys(Deno.env.toObject()).sort(),
    path: Deno.env.get("PATH") ?? null,
    hostname: await attempt(() => Deno.hostname()),
  });
});
"""


@deno_missing
def test_a_function_reads_only_its_bundle_runs_nothing_and_sees_only_its_env(
    http: httpx.Client, localapi: Any, active_project: dict, tmp_path: Path
) -> None:
    ref = active_project["ref"]
    secret = localapi.config.functions_path() / "not-for-functions.json"  # in the local API's data dir
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text(json.dumps({"token": localapi.token}))
    marker = tmp_path / "spawned"
    files = [("index.ts", FILES_AND_PROCESSES), ("data.txt", b"bundled")]
    assert deploy(http, ref, "files", files, verify_jwt=False).status_code == 201
    response = httpx.post(
        f"{localapi.base_url}/project/{ref}/functions/v1/files",
        json={"secret": str(secret), "marker": str(marker)},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    seen = response.json()
    assert seen["own"] == "allowed: bundled"
    assert seen["outside"].startswith(f'NotCapable: Requires read access to "{secret}"')
    assert "Requires read access" in seen["importOutside"]
    assert seen["write"].startswith("NotCapable: Requires write access")
    assert seen["run"].startswith("NotCapable: Requires run access")
    assert not seen["nodeRun"].startswith("allowed") and not marker.exists()
    assert seen["env"] == ["SB_EXECUTION_ID", "SUPABASE_ANON_KEY", "SUPABASE_URL"] and seen["path"] is None
    assert seen["hostname"].startswith("NotCapable: Requires sys access")
    assert localapi.token not in response.text
