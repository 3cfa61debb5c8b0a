"""A slow Management API and a rate-limited one: the page still renders, with a panel that
says what happened (the two failures the closed-port and wrong-token tests do not cover)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.localapi.config import LocalAPIConfig
from platformkit.localapi.server import LocalAPIServer
from tests.dashboard.conftest import assert_valid_html

PROJECTS = reverse("platformkit:projects")


@pytest.fixture
def slow_api(api: Any, pg_location: Any) -> Iterator[LocalAPIServer]:
    """The local API answering after 1.5 s, on the same records as ``api``."""
    config = LocalAPIConfig(
        database_url=pg_location.url(),
        token="slow-" + secrets.token_urlsafe(8),
        control_db=api.config.control_db,
        instances_dir=str(api.config.instances_path()),  # the same records, so the same instances
        snapshot_dir=str(api.config.snapshot_path()),
        latency_seconds=1.5,
    )
    server = LocalAPIServer(config).start()
    yield server
    server.stop()


class _RateLimited(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        body = b'{"message": "Rate limit exceeded"}'
        self.send_response(429)
        self.send_header("Content-Type", "application/json")
        self.send_header("Retry-After", "30")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def rate_limited_url() -> Iterator[str]:
    """A loopback server that answers every request with 429 and Retry-After: 30."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RateLimited)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _panel(operator_client: Client, kind: str) -> str:
    response = operator_client.get(PROJECTS)
    page = response.content.decode()
    assert response.status_code == 200, "the page itself still renders"
    assert "<h1>Projects</h1>" in page
    assert f'data-upstream-error="{kind}"' in page
    assert "Traceback" not in page
    assert_valid_html(page)
    return page


def test_slow_upstream_shows_the_timeout_panel(
    slow_api: LocalAPIServer, operator_client: Client, settings: Any
) -> None:
    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "API_URL": slow_api.base_url,
        "API_TOKEN": slow_api.token,
        "REQUEST_TIMEOUT": 0.3,
        "MAX_RETRIES": 0,
        "READ_CACHE_SECONDS": 0,
    }
    page = _panel(operator_client, "timeout")
    assert slow_api.token not in page


def test_rate_limited_upstream_says_when_to_try_again(
    rate_limited_url: str, operator_client: Client, settings: Any
) -> None:
    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "API_URL": rate_limited_url,
        "RETRY_DEADLINE": 2,
        "READ_CACHE_SECONDS": 0,
    }
    page = _panel(operator_client, "rate_limited")
    assert "Rate limited by the Management API, retrying in 30 s" in page
    assert 'hx-trigger="load delay:30s, click"' in page
