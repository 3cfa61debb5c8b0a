"""The client paces itself against the local API's real (small) budgets: once a scope's budget
is used it waits for the window to end instead of drawing 429s, other scopes go on at once,
concurrent calls share what is left, a 429 is retried after its Retry-After, and a wait past the
call's deadline is refused without sending, saying when to come back. Transports only to inject
a fault the local API does not make."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from platformkit.api import AsyncManagementClient, ManagementClient, Pacer, errors
from platformkit.api.pacing import scope_of
from platformkit.localapi.server import LocalAPIServer
from tests.api.conftest import Script, json_response

DEFAULT_ORG = "localorganization"


@pytest.fixture
def refs(localapi: Any) -> list[str]:
    """Two projects, made through the suite's unlimited server."""
    with ManagementClient(localapi.token, localapi.base_url) as client:
        return [
            client.projects.create(
                name=f"pacing {i}",
                organization_slug=DEFAULT_ORG,
                db_pass="correct-horse-battery-staple",
                region_selection={"type": "smartGroup", "code": "emea"},
            ).ref
            for i in range(2)
        ]


@pytest.fixture
def statuses(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[int]]]:
    """The status of every answer the client received (its request log)."""
    caplog.set_level(logging.INFO, logger="platformkit.api")
    yield lambda: [r.api_status for r in caplog.records if getattr(r, "api_status", None) is not None]


def test_a_used_budget_is_waited_for_not_refused(
    limited_localapi: Callable[..., LocalAPIServer], refs: list[str], statuses: Callable[[], list[int]]
) -> None:
    server = limited_localapi(standard=3, window=1.5)
    with ManagementClient(server.token, server.base_url) as client:
        started = time.monotonic()
        names = [client.projects.get(refs[0]).name for _ in range(7)]
        elapsed = time.monotonic() - started
    assert names == ["pacing 0"] * 7
    assert statuses() == [200] * 7, "no call drew a 429"
    assert elapsed >= 2.0, "7 calls at 3 per 1.5 s window need two waits"


def test_another_scope_is_not_held_up(
    limited_localapi: Callable[..., LocalAPIServer], refs: list[str], statuses: Callable[[], list[int]]
) -> None:
    server = limited_localapi(standard=2, window=30.0)
    with ManagementClient(server.token, server.base_url, retry_deadline=60) as client:
        client.projects.get(refs[0])
        client.projects.get(refs[0])  # project 0's budget is used for 30 s
        started = time.monotonic()
        client.projects.get(refs[1])
        client.organizations.get(DEFAULT_ORG)
        client.projects.list()
        assert time.monotonic() - started < 2.0
    assert statuses() == [200] * 5


def test_concurrent_calls_share_what_is_left(
    limited_localapi: Callable[..., LocalAPIServer], refs: list[str], statuses: Callable[[], list[int]]
) -> None:
    server = limited_localapi(standard=3, window=1.5)
    with ManagementClient(server.token, server.base_url) as client:
        results = client.parallel(*(lambda: client.projects.get(refs[0]) for _ in range(7)))
    assert all(result.ok for result in results), [result.error for result in results]
    assert statuses() == [200] * 7


def test_a_wait_past_the_deadline_is_refused_without_sending(
    limited_localapi: Callable[..., LocalAPIServer], refs: list[str], statuses: Callable[[], list[int]]
) -> None:
    server = limited_localapi(standard=2, window=30.0)
    with ManagementClient(server.token, server.base_url, retry_deadline=2.0) as client:
        client.projects.get(refs[0])
        client.projects.get(refs[0])
        started = time.monotonic()
        with pytest.raises(errors.RateLimitError) as refused:
            client.projects.get(refs[0])
        assert time.monotonic() - started < 1.0, "it did not wait for a window it cannot use"
    assert refused.value.retry_after is not None and 25 < refused.value.retry_after <= 30
    assert statuses() == [200, 200], "the refused call was never sent"


def test_a_429_from_a_budget_spent_elsewhere_is_retried_after_retry_after(
    limited_localapi: Callable[..., LocalAPIServer], refs: list[str], statuses: Callable[[], list[int]]
) -> None:
    server = limited_localapi(standard=2, window=2.0)
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}) as other:
        assert [other.get(f"/v1/projects/{refs[0]}").status_code for _ in range(2)] == [200, 200]  # another process
    with ManagementClient(server.token, server.base_url, retry_deadline=10) as client:
        started = time.monotonic()
        assert client.projects.get(refs[0]).ref == refs[0]
        assert time.monotonic() - started >= 0.9
    assert statuses() == [429, 200]


def test_the_429s_retry_after_holds_the_processs_other_calls_back(
    limited_localapi: Callable[..., LocalAPIServer], refs: list[str], statuses: Callable[[], list[int]]
) -> None:
    """Two clients sharing a pacer: the first one's 429 makes the second wait, not send."""
    server = limited_localapi(standard=1, window=2.0)
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}) as other:
        assert other.get(f"/v1/projects/{refs[0]}").status_code == 200
    pacer = Pacer()
    with (
        ManagementClient(server.token, server.base_url, pacer=pacer, retry_deadline=10) as first,
        ManagementClient(server.token, server.base_url, pacer=pacer, retry_deadline=10) as second,
    ):
        first.projects.get(refs[0])
        second.projects.get(refs[0])
    assert statuses() == [429, 200, 200]


def test_the_async_client_paces_too(
    limited_localapi: Callable[..., LocalAPIServer], refs: list[str], statuses: Callable[[], list[int]]
) -> None:
    server = limited_localapi(standard=2, window=1.0)

    async def run() -> list[str]:
        async with AsyncManagementClient(server.token, server.base_url) as client:
            results = await client.parallel(*(lambda: client.projects.get(refs[0]) for _ in range(5)))
            return [result.unwrap().ref for result in results]

    assert asyncio.run(run()) == [refs[0]] * 5
    assert statuses() == [200] * 5


def test_logs_calls_spend_their_own_budget(
    limited_localapi: Callable[..., LocalAPIServer], refs: list[str], statuses: Callable[[], list[int]]
) -> None:
    server = limited_localapi(standard=10, logs=1, window=30.0)
    with ManagementClient(server.token, server.base_url, retry_deadline=2.0) as client:
        client.analytics.api_requests_count(refs[0])
        with pytest.raises(errors.RateLimitError):
            client.analytics.api_requests_count(refs[0])
        client.projects.get(refs[0])  # the project's own budget is still there
    assert statuses() == [200, 200]


def test_a_429_without_retry_after_waits_for_the_reset_header(make_client: Any, clock: Any) -> None:
    script = Script(
        json_response(429, {"message": "slow down"}, **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "7"}),
        json_response(200, []),
    )
    make_client(script).projects.list()
    assert clock.slept == [7.0]


def test_a_reset_given_as_a_unix_time_is_read_as_the_wait_until_then(make_client: Any, clock: Any) -> None:
    reset_at = str(int(time.time()) + 20)
    script = Script(
        json_response(
            200, [], **{"X-RateLimit-Limit": "120", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset_at}
        ),
        json_response(200, []),
    )
    client = make_client(script)
    client.projects.list()
    client.projects.list()
    assert len(clock.slept) == 1 and 18 <= clock.slept[0] <= 21


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("/v1/projects/abcdefghijklmnopqrst/health", "project:abcdefghijklmnopqrst"),
        ("/v1/projects/abcdefghijklmnopqrst/analytics/endpoints/logs", "project:abcdefghijklmnopqrst/logs"),
        ("/v1/organizations/acme/projects", "organization:acme"),
        ("/v1/branches/abcdefghijklmnopqrst/merge", "project:abcdefghijklmnopqrst"),
        ("/v1/projects/available-regions", "account"),
        ("/v1/projects", "account"),
    ],
)
def test_scope_of_a_path(path: str, scope: str) -> None:
    assert scope_of(path) == scope
