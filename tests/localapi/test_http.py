"""What every request meets: bearer auth, JSON errors, request ids, unknown routes."""

from __future__ import annotations

import json
import time
import uuid
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.localapi.conftest import message

PROTECTED = [
    ("GET", "/v1/organizations"),
    ("POST", "/v1/organizations"),
    ("GET", "/v1/projects"),
    ("POST", "/v1/projects"),
    ("GET", "/v1/projects/abcdefghijklmnopqrst"),
    ("GET", "/v1/projects/available-regions?organization_slug=localorganization"),
    ("GET", "/v1/no-such-route"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_no_token_is_401_json(anonymous: httpx.Client, method: str, path: str) -> None:
    response = anonymous.request(method, path)
    assert response.status_code == 401
    assert "Bearer" in message(response)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer wrong-token",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "bearer",
        "Token {token}",
        "Bearer {token}x",
        "Bearer  x{token}",
    ],
)
def test_wrong_token_or_scheme_is_401(anonymous: httpx.Client, localapi: Any, header: str) -> None:
    response = anonymous.get("/v1/projects", headers={"Authorization": header.format(token=localapi.token)})
    assert response.status_code == 401
    message(response)


def test_right_token_any_case_scheme(anonymous: httpx.Client, localapi: Any) -> None:
    response = anonymous.get("/v1/projects", headers={"Authorization": f"bearer {localapi.token}"})
    assert response.status_code == 200


def test_every_answer_has_a_fresh_request_id(http: httpx.Client, anonymous: httpx.Client) -> None:
    ids = [http.get("/v1/organizations").headers["x-request-id"], http.get("/v1/nope").headers["x-request-id"]]
    ids.append(anonymous.get("/v1/projects").headers["x-request-id"])
    assert len({uuid.UUID(value) for value in ids}) == 3


def test_one_connection_serves_call_after_call_without_delay(localapi: Any) -> None:
    """Answers carry their length and keep the connection open, as HTTP/1.1 clients expect (they
    were each closed: a TCP handshake and a server thread per call); and a kept-alive connection
    does not wait out the client's delayed ACK before the body (Nagle: ~40 ms a call)."""
    connection = HTTPConnection(urlsplit(localapi.base_url).netloc, timeout=15)
    calls = [("/v1/organizations", f"Bearer {localapi.token}", 200), ("/v1/nope", f"Bearer {localapi.token}", 404)]
    calls.append(("/v1/projects", "Bearer wrong", 401))
    try:
        connection.connect()
        first_socket = connection.sock
        took = []
        for path, authorization, status in calls * 4:
            started = time.monotonic()
            connection.request("GET", path, headers={"Authorization": authorization})
            response = connection.getresponse()
            body = response.read()
            took.append(time.monotonic() - started)
            assert response.status == status
            assert response.getheader("Content-Length") == str(len(body)) and json.loads(body)
            assert response.getheader("Connection") != "close" and not response.will_close
        assert connection.sock is first_socket  # one connection for every call
        assert sorted(took)[len(took) // 2] < 0.03, took  # waiting for an ACK: >= 40 ms each
    finally:
        connection.close()


def test_an_http_1_0_client_asking_for_keep_alive_gets_its_answer_and_the_end(localapi: Any) -> None:
    """HTTP/1.0 is answered and closed (keep-alive is HTTP/1.1's): a 1.0 client reading to the
    end of the connection is not left waiting."""
    import socket

    host, _, port = urlsplit(localapi.base_url).netloc.partition(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(
            b"GET /v1/organizations HTTP/1.0\r\nConnection: keep-alive\r\n"
            + f"Authorization: Bearer {localapi.token}\r\n\r\n".encode()
        )
        answer = b""
        while chunk := raw.recv(65536):  # to the end: the server closes
            answer += chunk
    assert answer.startswith(b"HTTP/1.") and b" 200 " in answer.split(b"\r\n", 1)[0]


@pytest.mark.parametrize(
    "path", ["/", "/v1", "/v1/nothing-here", "/v2/projects", "/v1/projects/abcdefghijklmnopqrst/nothing"]
)
def test_unknown_route_is_404_json(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 404
    assert path in message(response)


def test_unsupported_method_is_405_json(http: httpx.Client) -> None:
    response = http.put("/v1/projects", json={})
    assert response.status_code == 405
    assert "PUT" in message(response)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "body is required"),
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"name"', "must be a JSON object"),
    ],
)
def test_malformed_body_is_400_saying_so(http: httpx.Client, content: bytes, expected: str) -> None:
    for path in ("/v1/projects", "/v1/organizations"):
        response = http.post(path, content=content, headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert expected in message(response)
