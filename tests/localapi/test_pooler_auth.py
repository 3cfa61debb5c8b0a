"""The pooler checks the password before it wakes a stopped instance: a wrong one is refused as
PostgreSQL refuses it and the instance stays stopped; the right one (through psycopg and psql)
wakes it and lands in a session as the tenant, the instance itself having accepted the login
(the pooler proves it with the key the client's proof revealed, never with a password). A
password changed while the instance ran is the one that counts once it has stopped."""

from __future__ import annotations

import subprocess
from typing import Any
from urllib.parse import quote

import httpx
import psycopg
import pytest

from platformkit.localapi.instances import binaries
from platformkit.localapi.recovery.binaries import find_binary
from platformkit.localapi.server import LocalAPIServer
from tests.localapi.test_pooler import api, make_project, pooled, server, two  # noqa: F401 (fixtures)


def test_a_wrong_password_does_not_wake_a_stopped_instance(server: LocalAPIServer, api: httpx.Client) -> None:
    ref, password = make_project(api, "asleep")
    instances = server.api.instances
    instances.stop(ref)  # as the idle stop does
    for wrong in ("not-the-password", password + "x"):
        with pytest.raises(psycopg.OperationalError, match='password authentication failed for user "postgres"'):
            pooled(server, f"postgres.{ref}", wrong).close()
        assert not instances.instance(ref).is_running(), "a wrong password woke the instance"
    with pooled(server, f"postgres.{ref}", password) as conn:
        assert instances.instance(ref).is_running()
        assert conn.execute("select current_user, v from public.marker").fetchall() == [("postgres", "asleep")]
    instances.stop(ref)
    url = f"postgresql://{quote(f'postgres.{ref}')}:{quote(password)}@127.0.0.1:{server.pooler_port}/postgres"
    done = subprocess.run(
        [find_binary("psql"), url, "-Atc", "select v from public.marker"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0 and done.stdout.strip() == "asleep", done.stderr


def test_a_password_changed_while_running_counts_once_stopped(server: LocalAPIServer, api: httpx.Client) -> None:
    ref, password = make_project(api, "rotated")
    instances = server.api.instances
    with pooled(server, f"postgres.{ref}", password) as conn:  # the tenant changes its own password
        conn.execute("alter role postgres password 'the-new-one-2026'")
    instances.stop(ref)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        pooled(server, f"postgres.{ref}", password).close()
    assert not instances.instance(ref).is_running()
    with pooled(server, f"postgres.{ref}", "the-new-one-2026") as conn:
        assert conn.execute("select v from public.marker").fetchone() == ("rotated",)


def test_a_password_changed_before_a_crash_is_the_one_that_logs_in(server: Any, two: Any) -> None:
    """Found in review: the verifier kept at an orderly stop outlived the running server; the
    tenant changed the password, the server died (not an orderly stop), and the pooler refused
    the new password without waking the instance. The kept verifier goes when a server starts."""
    ref, password = two["beta"]
    instances = server.api.instances
    instance = instances.instance(ref)
    instances.stop(ref)  # an orderly stop: the verifier of the old password is kept
    with pooled(server, f"postgres.{ref}", password) as conn:
        conn.execute("alter role postgres password 'brand-new-pw'")
    binaries.run("pg_ctl", ["-D", str(instance.pgdata), "-m", "immediate", "-w", "stop"], timeout=60, check=False)
    assert not instance.is_running()
    with pooled(server, f"postgres.{ref}", "brand-new-pw") as conn:
        assert conn.execute("select 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        pooled(server, f"postgres.{ref}", password)
