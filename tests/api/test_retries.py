"""Retries, backoff, Retry-After, deadlines and the no-replay rule for POSTs."""

from __future__ import annotations

import httpx
import pytest

from platformkit.api import errors
from tests.api.conftest import REF, Script, json_response

PROJECT = {
    "ref": REF,
    "name": "p",
    "organization_slug": "org",
    "region": "us-east-1",
    "status": "ACTIVE_HEALTHY",
    "created_at": "x",
}


def test_429_waits_exactly_retry_after_then_succeeds(make_client, clock):
    script = Script(json_response(429, {"message": "slow down"}, **{"Retry-After": "7"}), json_response(200, PROJECT))
    project = make_client(script).projects.get(REF)
    assert project.ref == REF
    assert len(script.requests) == 2
    assert clock.slept == [7.0]


def test_retry_after_as_http_date_is_honoured(make_client, clock):
    import email.utils
    import time

    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    script = Script(json_response(503, {"message": "busy"}, **{"Retry-After": when}), json_response(200, PROJECT))
    make_client(script, retry_deadline=120).projects.get(REF)
    assert len(clock.slept) == 1 and 28 <= clock.slept[0] <= 31


def test_503_backs_off_exponentially_with_jitter(make_client, clock):
    script = Script(json_response(503), json_response(503), json_response(502), json_response(200, PROJECT))
    make_client(script).projects.get(REF)
    # random() is pinned at 0.5: each wait is 3/4 of the doubling step (0.5, 1, 2 s).
    assert clock.slept == [0.375, 0.75, 1.5]
    assert len(script.requests) == 4


def test_gives_up_after_max_retries_with_the_last_error(make_client, clock):
    script = Script(json_response(504, {"message": "gateway timeout"}))
    with pytest.raises(errors.ServerError) as caught:
        make_client(script, max_retries=2).projects.get(REF)
    assert len(script.requests) == 3
    assert caught.value.status == 504 and "gateway timeout" in caught.value.message


def test_500_is_not_retried(make_client, clock):
    script = Script(json_response(500, {"message": "Failed to retrieve project"}), json_response(200, PROJECT))
    with pytest.raises(errors.ServerError):
        make_client(script).projects.get(REF)
    assert len(script.requests) == 1 and clock.slept == []


def test_total_deadline_stops_retries_before_sleeping_past_it(make_client, clock):
    script = Script(json_response(429, {"message": "later"}, **{"Retry-After": "40"}), json_response(200, PROJECT))
    with pytest.raises(errors.RateLimitError) as caught:
        make_client(script, retry_deadline=30).projects.get(REF)
    assert caught.value.retry_after == 40
    assert len(script.requests) == 1 and clock.slept == []


def test_read_timeout_is_retried_for_a_get(make_client):
    script = Script(httpx.ReadTimeout("slow"), json_response(200, PROJECT))
    assert make_client(script).projects.get(REF).ref == REF
    assert len(script.requests) == 2


def test_timeouts_exhausted_raise_api_timeout_error(make_client):
    script = Script(httpx.ReadTimeout("slow"))
    with pytest.raises(errors.APITimeoutError) as caught:
        make_client(script, max_retries=1).projects.get(REF)
    assert caught.value.status is None and caught.value.path == f"/v1/projects/{REF}"
    assert len(script.requests) == 2


def test_create_project_is_not_replayed_after_a_read_timeout(make_client):
    script = Script(httpx.ReadTimeout("the server may have created it"), json_response(201, PROJECT))
    with pytest.raises(errors.APITimeoutError):
        make_client(script).projects.create(name="p", organization_slug="org", db_pass="x")
    assert len(script.requests) == 1


def test_create_project_is_not_replayed_after_a_502(make_client):
    script = Script(json_response(502), json_response(201, PROJECT))
    with pytest.raises(errors.ServerError):
        make_client(script).projects.create(name="p", organization_slug="org", db_pass="x")
    assert len(script.requests) == 1


def test_create_project_is_replayed_after_a_connect_error_and_a_429(make_client, clock):
    script = Script(
        httpx.ConnectError("refused"), json_response(429, **{"Retry-After": "1"}), json_response(201, PROJECT)
    )
    project = make_client(script).projects.create(name="p", organization_slug="org", db_pass="x")
    assert project.ref == REF and len(script.requests) == 3


def test_network_failure_exhausted_raises_connection_error(make_client):
    script = Script(httpx.ConnectError("refused"))
    with pytest.raises(errors.APIConnectionError):
        make_client(script, max_retries=2).organizations.list()
    assert len(script.requests) == 3


def test_migration_sends_one_idempotency_key_on_every_attempt(make_client):
    script = Script(httpx.ReadTimeout("slow"), json_response(503), httpx.Response(200))
    make_client(script).database.apply_migration(REF, query="create table t (id int)", name="t")
    keys = {request.headers["Idempotency-Key"] for request in script.requests}
    assert len(script.requests) == 3 and len(keys) == 1 and keys != {""}
    second = Script(httpx.Response(200))
    make_client(second).database.apply_migration(REF, query="select 1")
    assert second.requests[0].headers["Idempotency-Key"] not in keys


def test_only_the_migration_endpoint_sends_an_idempotency_key(make_client):
    script = Script(json_response(201, PROJECT))
    make_client(script).projects.create(name="p", organization_slug="org", db_pass="x")
    assert "Idempotency-Key" not in script.requests[0].headers
