"""The other ways to run the local API: its URLconf mounted in a host site (configured by
``settings.PLATFORMKIT_LOCALAPI``), and a server with injected latency for benchmarks."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from platformkit.localapi import views
from platformkit.localapi.server import LocalAPIServer


@pytest.fixture
def mounted(localapi: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    settings.ROOT_URLCONF = "platformkit.localapi.urls"
    settings.PLATFORMKIT_LOCALAPI = {
        "database_url": localapi.config.database_url,
        "token": "mounted-token",
        "control_db": localapi.config.control_db,
        "status_delay_seconds": 0.5,
    }
    monkeypatch.setattr(views, "_from_settings", None)  # built afresh from these settings
    yield {"HTTP_AUTHORIZATION": "Bearer mounted-token"}
    monkeypatch.setattr(views, "_from_settings", None)


def test_urlconf_mounted_in_a_site_uses_settings(client: Any, mounted: dict[str, str], localapi: Any) -> None:
    response = client.get("/v1/organizations", **mounted)
    assert response.status_code == 200
    assert "localorganization" in [org["slug"] for org in response.json()]
    # The site's own token, not the threaded server's.
    assert client.get("/v1/organizations", HTTP_AUTHORIZATION=f"Bearer {localapi.token}").status_code == 401
    created = client.post("/v1/organizations", data={"name": "Mounted"}, content_type="application/json", **mounted)
    assert created.status_code == 201 and created.json()["name"] == "Mounted"
    missing = client.get("/v1/nowhere", **mounted)
    assert missing.status_code == 404 and missing.json()["message"] == "Cannot GET /v1/nowhere"


def test_injected_latency_delays_every_answer(localapi: Any) -> None:
    slow = LocalAPIServer(dataclasses.replace(localapi.config, latency_seconds=0.3)).start()
    try:
        with httpx.Client(base_url=slow.base_url, headers={"Authorization": f"Bearer {slow.token}"}) as http:
            for path in ("/v1/organizations", "/v1/projects/abcdefghijklmnopqrst"):
                started = time.monotonic()
                http.get(path)
                assert time.monotonic() - started >= 0.3
        with httpx.Client(base_url=localapi.base_url, headers={"Authorization": f"Bearer {localapi.token}"}) as http:
            started = time.monotonic()
            http.get("/v1/organizations")
            assert time.monotonic() - started < 0.3
    finally:
        slow.stop()
