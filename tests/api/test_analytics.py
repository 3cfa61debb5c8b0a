"""The analytics resource: both log endpoints and the usage counts against the local API, and
no second send of a log query that timed out (network faults injected)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from platformkit.api import ManagementClient, errors
from tests.api.conftest import REF, Script, json_response
from tests.api.test_backups import _active_project
from tests.api.test_retries import PROJECT


@pytest.fixture
def client(localapi: Any) -> Any:
    with ManagementClient(localapi.token, base_url=localapi.base_url) as client:
        yield client


def test_both_log_endpoints_and_usage(client: ManagementClient) -> None:
    ref = _active_project(client)
    client.database.query(ref, "select 1 as one")
    now = datetime.now(UTC)
    window = {"start": now - timedelta(minutes=5), "end": now + timedelta(seconds=5)}
    found = client.analytics.logs(
        ref,
        sql="select event_message, log_attributes['parsed.error_severity'] as severity from logs"
        " where source = 'postgres_logs'",
        **window,
    )
    assert found.error is None and {"event_message": "statement: select 1 as one", "severity": "LOG"} in found.result
    with pytest.raises(errors.ValidationError, match="Unknown table edge_logs; query logs"):
        client.analytics.logs(ref, sql="select 1 from edge_logs")
    # The deprecated endpoint, same events, BigQuery style; its refusals come back in the result.
    old = client.analytics.logs_all(ref, sql="select event_message from postgres_logs", **window)
    assert old.error is None and {"event_message": "statement: select 1 as one"} in old.result
    refused = client.analytics.logs_all(ref, sql="select nope from edge_logs")
    assert refused.result == [] and refused.error_message == "Unrecognized name: nope"
    assert client.analytics.api_requests_count(ref).result[0]["count"] >= 1
    assert client.analytics.api_counts(ref, interval="15min").error is None


@pytest.mark.parametrize("fault", [httpx.ReadTimeout("slow"), json_response(504, {"message": "gateway timeout"})])
def test_a_log_query_that_timed_out_is_not_sent_again(make_client: Any, clock: Any, fault: Any) -> None:
    script = Script(fault)  # were it sent again, the same fault would answer and it would be counted
    client = make_client(script)
    with pytest.raises((errors.APITimeoutError, errors.ServerError)):
        client.analytics.logs(REF, sql="select 1 from logs")
    with pytest.raises((errors.APITimeoutError, errors.ServerError)):
        client.analytics.logs_all(REF, sql="select 1 from edge_logs")
    assert len(script.requests) == 2 and clock.slept == []
    # Other reads still retry a timeout: the policy is per call.
    retried = Script(fault, json_response(200, PROJECT))
    assert make_client(retried).projects.get(REF).ref == REF and len(retried.requests) == 2
