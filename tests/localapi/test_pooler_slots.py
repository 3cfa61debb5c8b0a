"""The pooler's client slots go to clients that have said who they are: connections that send
nothing (or half a StartupMessage) hold no slot, wake no instance, are closed after the startup
timeout, and the oldest of them are closed for newer ones, so hundreds of them cannot lock a real
client out (before, 200 silent connections filled ``max_clients`` for 10 s)."""

from __future__ import annotations

import socket
import struct
import time

import httpx

from platformkit.localapi.pooler.service import STARTUP_TIMEOUT_SECONDS
from platformkit.localapi.server import LocalAPIServer
from tests.localapi.test_pooler import api, make_project, pooled, server  # noqa: F401 (fixtures)


def closed_by_the_pooler(connection: socket.socket, within: float) -> bool:
    connection.settimeout(within)
    try:
        return connection.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_silent_connections_take_no_slot_and_cannot_lock_a_real_client_out(
    server: LocalAPIServer, api: httpx.Client
) -> None:
    ref, password = make_project(api, "slots")
    pooler = server.api.pooler
    assert pooler is not None
    silent = [socket.create_connection(("127.0.0.1", pooler.port)) for _ in range(pooler.max_clients + 50)]
    try:
        time.sleep(0.5)
        started = time.monotonic()
        with pooled(server, f"postgres.{ref}", password) as conn:
            assert conn.execute("select v from public.marker").fetchone() == ("slots",)
        assert time.monotonic() - started < 3
        # Only the newest max_pending are still waiting; the older ones made room for them.
        closed = sum(closed_by_the_pooler(connection, 0.05) for connection in silent)
        assert closed >= len(silent) - pooler.max_pending - 1, closed
    finally:
        for connection in silent:
            connection.close()


def test_half_a_startup_packet_is_closed_after_the_startup_timeout(server: LocalAPIServer) -> None:
    pooler = server.api.pooler
    assert pooler is not None
    with socket.create_connection(("127.0.0.1", pooler.port)) as connection:
        connection.sendall(struct.pack("!II", 40, 196608) + b"user\0")  # and then nothing
        started = time.monotonic()
        assert closed_by_the_pooler(connection, STARTUP_TIMEOUT_SECONDS + 3)
        assert STARTUP_TIMEOUT_SECONDS - 0.5 < time.monotonic() - started < STARTUP_TIMEOUT_SECONDS + 3


def _startup(user: str) -> bytes:
    body = struct.pack("!I", 196608) + b"user\0" + user.encode() + b"\0database\0postgres\0\0"
    return struct.pack("!I", len(body) + 4) + body


def test_clients_that_stop_after_their_startup_take_no_slot_and_no_backend(
    server: LocalAPIServer, api: httpx.Client
) -> None:
    """Found in review: 205 sockets that sent a StartupMessage for a known (running) ref and then
    nothing made a real client fail with "too many clients" (each held a slot and a backend until
    PostgreSQL's 60 s authentication_timeout). The pooler now checks the password itself first."""
    ref, password = make_project(api, "startup-silence")
    pooler = server.api.pooler
    assert pooler is not None
    with pooled(server, f"postgres.{ref}", password) as conn:
        conn.execute("select 1")  # running
    silent = []
    try:
        for _ in range(pooler.max_clients + 5):
            connection = socket.create_connection(("127.0.0.1", pooler.port))
            connection.sendall(_startup(f"postgres.{ref}"))
            silent.append(connection)
        time.sleep(1.0)
        started = time.monotonic()
        with pooled(server, f"postgres.{ref}", password) as conn:
            backends = conn.execute("select count(*) from pg_stat_activity where backend_type = 'client backend'")
            assert backends.fetchone()[0] < 10  # not one per silent socket
        assert time.monotonic() - started < 3
    finally:
        for connection in silent:
            connection.close()
