"""The pieces of a several-machines deployment, started for real on loopback: Debian's
``redis-server``, a counting proxy in front of the local Management API (one port per process,
so each upstream call is known by who made it), site processes under gunicorn and ``qcluster``
workers, all on demo/settings.py with the environment the README's recipe gives them.

Shared by tests/system/test_several_machines.py and bench/several_machines.py.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import httpx

from demo.run import stop_children

BASE_DIR = Path(__file__).resolve().parent.parent.parent
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "trailer", "upgrade"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the counting proxy ----------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    caller: str  # which process sent it (the proxy port it used)
    method: str
    path: str
    body: bytes
    status: int
    remaining: str | None  # X-RateLimit-Remaining of the answer
    at: float = field(default_factory=time.monotonic)


class CountingProxy:
    """Forwards every request to ``upstream`` unchanged and records it (:class:`Call`)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []

    def listen(self, caller: str) -> str:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                target = urlsplit(proxy.upstream)
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                content = answer.read()
                upstream.close()
                remaining = answer.getheader("X-RateLimit-Remaining")
                proxy._record(Call(caller, self.command, self.path, body, answer.status, remaining))
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                # The caller may have been stopped (or given up) while its call was upstream.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(content)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _forward  # noqa: N815

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def since(self, mark: int, caller: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls[mark:] if caller is None or c.caller == caller]

    def mark(self) -> int:
        with self._lock:
            return len(self.calls)

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()


# -- processes -------------------------------------------------------------------------------


class Process:
    """A subprocess in its own process group, its output in ``log``."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.log = name, log
        self._output = log.open("ab")
        self.process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=self._output, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group (a qcluster's guard, pusher and workers): nothing is finished or handed back."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        stop_children([self.process], timeout=20)  # as `make demo` stops its children
        self._output.close()

    def tail(self, characters: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else ""


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """Debian's redis-server on a loopback port, nothing persisted; yields its base URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: `make redis` installs Debian's package")
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = Process("redis", [*command, "--dir", str(workdir)], dict(os.environ), workdir / "redis.log")
    url = f"redis://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            pass
        if not server.alive() or time.monotonic() > deadline:
            raise RuntimeError(f"redis-server did not start: {server.tail()}")
        time.sleep(0.1)
    try:
        yield url
    finally:
        server.stop()


def database_url(settings_dict: dict) -> str:
    """A ``DATABASE_URL`` for Django's connection settings (a socket directory as the host)."""
    host = quote(str(settings_dict["HOST"]), safe="")
    auth = quote(settings_dict["USER"], safe="")
    if settings_dict.get("PASSWORD"):
        auth += ":" + quote(settings_dict["PASSWORD"], safe="")
    return f"postgres://{auth}@{host}:{settings_dict['PORT'] or 5432}/{quote(settings_dict['NAME'], safe='')}"


def deployment_env(*, database: str, redis: str, api_url: str, api_token: str, data_dir: Path, secret_key: str,
                   encryption_key: str, embed_origin: str) -> dict[str, str]:  # fmt: skip
    """The README's "Running on more than one machine" environment, for one process."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PLATFORMKIT_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "demo.settings",
            "DJANGO_SECRET_KEY": secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database,
            "PLATFORMKIT_REDIS_URL": f"{redis}/0",
            "PLATFORMKIT_CACHE_URL": f"{redis}/1",
            "PLATFORMKIT_API_URL": api_url,
            "PLATFORMKIT_API_TOKEN": api_token,
            "PLATFORMKIT_ENCRYPTION_KEYS": encryption_key,
            "PLATFORMKIT_EMBED_ORIGINS": embed_origin,
            "PLATFORMKIT_DATA_DIR": str(data_dir),
            # Short django-q2 windows (as the suite's): a dead run's lease expires within seconds.
            "PLATFORMKIT_Q_TIMEOUT": "8",
            "PLATFORMKIT_Q_RETRY": "10",
            "PLATFORMKIT_Q_WORKERS": "1",
            "PLATFORMKIT_SITE_THREADS": "4",
        }
    )
    return env


def start_site(name: str, env: dict[str, str], log: Path) -> tuple[Process, str]:
    from demo.run import site_command

    port = free_port()
    site = Process(name, site_command(f"127.0.0.1:{port}", 1, 4), env, log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/accounts/login/", timeout=2)
            return site, base
        except httpx.HTTPError:
            if not site.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start: {site.tail()}") from None
            time.sleep(0.2)


def start_worker(name: str, env: dict[str, str], log: Path) -> Process:
    return Process(name, [sys.executable, str(BASE_DIR / "manage.py"), "qcluster"], env, log)


# -- a browser's forms -----------------------------------------------------------------------


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form["fields"].setdefault(a["name"], None)
                return
            if kind not in ("submit", "button"):
                self._form["fields"][a["name"]] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["fields"].setdefault(self._select, None)
        elif tag == "option" and self._select:
            fields = self._form["fields"]
            if fields.get(self._select) is None or "selected" in a:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"][self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Browser:
    """One operator's cookie jar, sent to whichever site process the "load balancer" picks."""

    def __init__(self, sites: list[str]) -> None:
        self.sites = sites
        self.cookies = httpx.Cookies()
        self._turn = 0

    def next_site(self) -> str:
        site = self.sites[self._turn % len(self.sites)]
        self._turn += 1
        return site

    def request(self, method: str, path: str, *, site: str | None = None, **kwargs: object) -> httpx.Response:
        base = site or self.next_site()
        with httpx.Client(base_url=base, cookies=self.cookies, timeout=90, follow_redirects=False) as http:
            response = http.request(method, path, **kwargs)  # type: ignore[arg-type]
            self.cookies.update(http.cookies)
        return response

    def submit(self, path: str, action: str, values: dict[str, str], *, site: str | None = None,
               post_site: str | None = None) -> httpx.Response:  # fmt: skip
        """GET ``path``, fill the form posting to ``action`` (its hidden CSRF token and
        idempotency key kept), POST it, from the given sites (the next ones by default)."""
        page = self.request("GET", path, site=site)
        assert page.status_code == 200, (path, page.status_code, page.text[-2000:])
        for form in forms_of(page.text):
            if form["method"] == "post" and urljoin(path, form["action"] or path) == action:
                data = {k: v for k, v in form["fields"].items() if v is not None}
                data.update(values)
                return self.request("POST", action, site=post_site, data=data, headers={"Referer": path})
        raise AssertionError(f"no form posting to {action} on {path}: {[f['action'] for f in forms_of(page.text)]}")
