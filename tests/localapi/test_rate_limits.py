"""The local API enforces the documented budgets: per token and project or organization scope,
a smaller one for the logs and usage endpoints, the three headers on every answer, and 429 with
Retry-After and a JSON message once a window's budget is used. Small real budgets, over HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from platformkit.localapi.ratelimit import Budget, RateLimiter, scope_of
from platformkit.localapi.server import LocalAPIServer
from tests.localapi.conftest import message

STANDARD, LOGS = 5, 2


@pytest.fixture
def limited(limited_localapi: Callable[..., LocalAPIServer]) -> Callable[..., LocalAPIServer]:
    return limited_localapi


@pytest.fixture
def refs(http: httpx.Client, create_project: Callable[..., dict[str, Any]]) -> list[str]:
    """Two projects (made through the suite's unlimited server)."""
    return [create_project(name=f"rate {i}")["ref"] for i in range(2)]


def client_for(server: LocalAPIServer, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token or server.token}"} if token != "" else {}
    return httpx.Client(base_url=server.base_url, headers=headers, timeout=15)


def figures(response: httpx.Response) -> tuple[int, int, int]:
    headers = response.headers
    return int(headers["X-RateLimit-Limit"]), int(headers["X-RateLimit-Remaining"]), int(headers["X-RateLimit-Reset"])


def test_every_answer_counts_down_and_the_budget_then_refuses_with_retry_after(
    limited: Callable[..., LocalAPIServer], refs: list[str]
) -> None:
    server = limited()
    with client_for(server) as http:
        answers = [http.get(f"/v1/projects/{refs[0]}") for _ in range(STANDARD)]
        assert [a.status_code for a in answers] == [200] * STANDARD
        assert [figures(a)[:2] for a in answers] == [(STANDARD, STANDARD - 1 - i) for i in range(STANDARD)]
        assert all(0 < figures(a)[2] <= 60 for a in answers)

        refused = http.get(f"/v1/projects/{refs[0]}")
        assert refused.status_code == 429
        assert "Rate limit exceeded" in message(refused)
        limit, remaining, reset = figures(refused)
        assert (limit, remaining) == (STANDARD, 0) and 0 < reset <= 60
        assert int(refused.headers["Retry-After"]) == reset
        # A refused call is refused whatever it is: an unknown path and a write too.
        assert http.get(f"/v1/projects/{refs[0]}/no-such-thing").status_code == 429
        assert http.post(f"/v1/projects/{refs[0]}/pause").status_code == 429


def test_errors_carry_the_headers_too(limited: Callable[..., LocalAPIServer], refs: list[str]) -> None:
    server = limited()
    with client_for(server) as http:
        missing = http.get("/v1/projects/zzzzzzzzzzzzzzzzzzzz")
        assert missing.status_code == 404 and figures(missing)[:2] == (STANDARD, STANDARD - 1)
    with client_for(server, token="") as anonymous:
        refused = anonymous.get("/v1/projects")
        assert refused.status_code == 401 and figures(refused)[:2] == (STANDARD, STANDARD - 1)


def test_scopes_are_the_project_the_organization_and_the_account(
    limited: Callable[..., LocalAPIServer], refs: list[str]
) -> None:
    server = limited()
    with client_for(server) as http:
        for _ in range(STANDARD):
            http.get(f"/v1/projects/{refs[0]}")
        assert http.get(f"/v1/projects/{refs[0]}/health", params={"services": "db"}).status_code == 429
        # Another project, the organization and the account-wide list each have their own 120.
        other = http.get(f"/v1/projects/{refs[1]}")
        assert other.status_code == 200 and figures(other)[1] == STANDARD - 1
        organization = http.get("/v1/organizations/localorganization")
        assert organization.status_code == 200 and figures(organization)[1] == STANDARD - 1
        assert http.get("/v1/organizations/localorganization/projects").status_code == 200  # the same org scope
        assert figures(http.get("/v1/organizations/localorganization"))[1] == STANDARD - 3
        listing = http.get("/v1/projects")
        assert listing.status_code == 200 and figures(listing)[1] == STANDARD - 1
        # A branch addressed by its ref is that project's scope.
        assert http.get(f"/v1/branches/{refs[0]}").status_code == 429


def test_logs_and_usage_have_their_own_smaller_budget(limited: Callable[..., LocalAPIServer], refs: list[str]) -> None:
    server = limited()
    usage = f"/v1/projects/{refs[0]}/analytics/endpoints/usage.api-requests-count"
    with client_for(server) as http:
        first = http.get(usage)
        assert first.status_code == 200 and figures(first)[:2] == (LOGS, LOGS - 1)
        assert http.get(f"/v1/projects/{refs[0]}/analytics/endpoints/logs.all").status_code != 429
        refused = http.get(usage)
        assert refused.status_code == 429 and figures(refused)[:2] == (LOGS, 0)
        # The project's standard budget is untouched by the logs calls.
        project = http.get(f"/v1/projects/{refs[0]}")
        assert project.status_code == 200 and figures(project)[:2] == (STANDARD, STANDARD - 1)


def test_callers_without_the_token_do_not_spend_its_budget(
    limited: Callable[..., LocalAPIServer], refs: list[str]
) -> None:
    server = limited()
    with client_for(server, token="wrong") as stranger, client_for(server) as http:
        statuses = [stranger.get(f"/v1/projects/{refs[0]}").status_code for _ in range(STANDARD + 1)]
        assert statuses == [401] * STANDARD + [429]  # counted by address, then refused
        admitted = http.get(f"/v1/projects/{refs[0]}")
        assert admitted.status_code == 200 and figures(admitted)[1] == STANDARD - 1


def test_a_caller_without_the_token_gets_one_budget_whatever_the_path_names(
    limited: Callable[..., LocalAPIServer],
) -> None:
    # Each made-up organization used to be a fresh scope: an unauthenticated flood was never limited.
    server = limited()
    with client_for(server, token="wrong") as stranger:
        statuses = [stranger.get(f"/v1/organizations/made-up-{number}").status_code for number in range(STANDARD + 2)]
    assert statuses == [401] * STANDARD + [429, 429]


def test_the_counters_stay_bounded_and_cheap_under_made_up_scopes(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformkit.localapi import ratelimit

    monkeypatch.setattr(ratelimit, "_PRUNE_AT", 100)
    monkeypatch.setattr(ratelimit, "_MOST_KEYS", 500)
    limiter = RateLimiter({"standard": Budget(5, 60.0)}, clock=lambda: 1.0)  # no window ever ends
    started = time.monotonic()
    for number in range(20_000):
        limiter.take("token:t", f"organization:o{number}", "standard")
    assert len(limiter._windows) <= 750 and time.monotonic() - started < 2.0
    # The latest scopes are still counted.
    assert limiter.take("token:t", "organization:o19999", "standard").remaining == 3


def test_the_window_ends_and_the_budget_returns(limited: Callable[..., LocalAPIServer], refs: list[str]) -> None:
    server = limited(standard=2, window=3.0)  # the three calls all land in it, on a starved machine too
    with client_for(server) as http:
        assert [http.get(f"/v1/projects/{refs[0]}").status_code for _ in range(3)] == [200, 200, 429]
        time.sleep(3.05)
        again = http.get(f"/v1/projects/{refs[0]}")
        assert again.status_code == 200 and figures(again)[1] == 1


def test_concurrent_requests_never_exceed_the_budget(limited: Callable[..., LocalAPIServer], refs: list[str]) -> None:
    budget, threads, each = 20, 8, 6
    server = limited(standard=budget)
    results: list[httpx.Response] = []
    lock = threading.Lock()

    def hammer() -> None:
        with client_for(server) as http:
            for _ in range(each):
                answer = http.get(f"/v1/projects/{refs[0]}")
                with lock:
                    results.append(answer)

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    admitted = [r for r in results if r.status_code == 200]
    assert len(results) == threads * each
    assert len(admitted) == budget
    assert {r.status_code for r in results} == {200, 429}
    assert sorted(figures(r)[1] for r in admitted) == list(range(budget))  # each count handed out once


def test_a_window_is_fixed_and_reset_rounds_up() -> None:
    now = [100.0]
    limiter = RateLimiter({"standard": Budget(2, 10.0)}, clock=lambda: now[0])
    assert limiter.take("t", "project:a", "standard").reset_seconds == 10
    now[0] = 103.2
    second = limiter.take("t", "project:a", "standard")
    assert (second.allowed, second.remaining, second.reset_seconds) == (True, 0, 7)
    now[0] = 109.9
    refused = limiter.take("t", "project:a", "standard")
    assert (refused.allowed, refused.reset_seconds) == (False, 1)
    assert refused.headers()["Retry-After"] == "1"
    now[0] = 110.0
    assert limiter.take("t", "project:a", "standard").remaining == 1  # a new window


@pytest.mark.parametrize(
    ("kwargs", "scope"),
    [
        ({"ref": "abcdefghijklmnopqrst"}, "project:abcdefghijklmnopqrst"),
        ({"ref": "abcdefghijklmnopqrst", "function_slug": "hello"}, "project:abcdefghijklmnopqrst"),
        ({"slug": "acme"}, "organization:acme"),
        ({"branch_id_or_ref": "abcdefghijklmnopqrst"}, "project:abcdefghijklmnopqrst"),
        ({"branch_id_or_ref": "0b4e8a5c-1f7d-4e0c-9f6e-3c1a2b3d4e5f"}, "branch:0b4e8a5c-1f7d-4e0c-9f6e-3c1a2b3d4e5f"),
        ({}, "account"),
    ],
)
def test_scope_of_a_route(kwargs: dict[str, str], scope: str) -> None:
    assert scope_of(kwargs) == scope


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("/v1/projects/abcdefghijklmnopqrst/no-such-thing", "project:abcdefghijklmnopqrst"),
        ("/v1/organizations/acme/nothing", "organization:acme"),
        ("/v1/projects/available-regions-typo", "account"),
        ("/v1/nothing", "account"),
    ],
)
def test_scope_of_a_path_no_route_matched(path: str, scope: str) -> None:
    assert scope_of({}, path) == scope
