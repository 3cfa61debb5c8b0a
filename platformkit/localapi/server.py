"""Serving the local Management API over real HTTP, in a thread (tests, benchmarks) or in the
foreground (``manage.py localapi``). Only the local API's URLconf is served, with none of the
host site's middleware (no host checks, sessions or CSRF: bearer tokens are the only auth)."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.http import HttpResponse

from .backend import LocalAPI
from .config import LocalAPIConfig

URLCONF = "platformkit.localapi.urls"


class LocalAPIHandler(WSGIHandler):
    """A WSGI app for one :class:`LocalAPI`: its URLconf, no middleware."""

    def __init__(self, api: LocalAPI) -> None:
        self.api = api
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        # settings.MIDDLEWARE is the host site's; this app answers with the views alone.
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        # BaseHandler._get_response (what load_middleware chains when there is no middleware) is
        # not in django-stubs.
        self._middleware_chain = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]

    def get_response(self, request: Any) -> Any:
        request.urlconf = URLCONF
        request.localapi = self.api
        response = super().get_response(request)
        # Without a Content-Length Django's server closes the connection after every answer (it
        # cannot tell the body's end otherwise): each call then paid a TCP handshake and a new
        # server thread, as CommonMiddleware (not run here) would have spared it.
        if isinstance(response, HttpResponse) and not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response


IDLE_CONNECTION_SECONDS = 120


class _Server(ThreadedWSGIServer):
    # The stdlib's listen backlog is 5: a burst of 100 clients got connection resets.
    request_queue_size = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open: set[socket.socket] = set()  # connections kept alive between calls
        self._open_guard = threading.Lock()

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        # An answer goes out as several small writes (status and headers, then the body): on a
        # kept-alive connection Nagle's algorithm held the body until the client's delayed ACK
        # (40 ms a call) that the connection's close used to flush.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._open_guard:
            self._open.add(connection)
        return connection, address

    def shutdown_request(self, request: Any) -> None:
        with self._open_guard:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        # A stopped server answers nothing more: kept-alive connections end with it, as every
        # connection used to end with its one answer.
        super().server_close()
        with self._open_guard:
            still_open = list(self._open)
        for connection in still_open:
            with contextlib.suppress(OSError):  # already gone
                # SHUT_RD: a connection waiting for its next request reads its end (and closes),
                # while an answer being written still reaches its client.
                connection.shutdown(socket.SHUT_RD)


class _RequestHandler(WSGIRequestHandler):
    # A kept-alive connection that says nothing for this long is closed: each holds a server
    # thread, and a client (httpx included) only drops an idle connection lazily.
    timeout = IDLE_CONNECTION_SECONDS

    def handle(self) -> None:
        # Idle past the timeout: the connection ends (Django's handler does not catch it).
        with contextlib.suppress(TimeoutError):
            super().handle()

    def parse_request(self) -> bool:
        parsed = bool(super().parse_request())
        # Kept alive for HTTP/1.1 only: an HTTP/1.0 client asking for keep-alive would get no
        # "Connection: keep-alive" back and, reading to the end, wait for a close that never came.
        if parsed and self.request_version != "HTTP/1.1":
            self.close_connection = True
        return parsed


class _QuietRequestHandler(_RequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


class LocalAPIServer:
    """``LocalAPIServer(config).start()`` serves on a loopback port in a daemon thread;
    ``.base_url``, ``.token``, ``.config``, ``.api``; ``.stop()``."""

    def __init__(self, config: LocalAPIConfig, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True) -> None:
        self.config = config
        self.api = LocalAPI(config)
        self._httpd = _Server((host, port), _QuietRequestHandler if quiet else _RequestHandler)
        self._httpd.daemon_threads = True
        self._httpd.set_app(LocalAPIHandler(self.api))
        self._thread: threading.Thread | None = None

    @property
    def token(self) -> str:
        return self.config.token

    @property
    def base_url(self) -> str:
        address, port = self._httpd.server_address[:2]
        host = address.decode() if isinstance(address, bytes) else str(address)
        return f"http://[{host}]:{port}" if ":" in str(host) else f"http://{host}:{port}"

    def start(self) -> LocalAPIServer:
        self._start_pooler()
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="platformkit-localapi", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until :meth:`stop` (from another thread) or an interrupt."""
        self._start_pooler()
        self._httpd.serve_forever()

    @property
    def pooler_port(self) -> int | None:
        return self.api.pooler.port if self.api.pooler is not None else None

    def _start_pooler(self) -> None:
        if self.api.pooler is not None:
            self.api.pooler.start()

    def close(self) -> None:
        self._httpd.server_close()
        self.api.close()

    def stop(self) -> None:
        self._httpd.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.close()
