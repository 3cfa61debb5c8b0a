"""What a page says when the Management API fails: one plain message per kind of failure,
with the request id for support. Nothing here can carry the token or a stack trace.

Pages and partials answer **200** with ``platformkit/includes/error_panel.html`` in place of
the region that failed (marked ``data-upstream-error="<kind>"`` for tests and scripts): the rest
of the page still renders, and htmx 2 swaps only 2xx answers by default, so a 502 for a
partial would leave the stale region in place and hide the failure from the operator.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from platformkit.api import Result, errors

T = TypeVar("T")
RATE_LIMIT_RETRY_DEFAULT = 10  # seconds, when a 429 did not say how long


@dataclass(frozen=True)
class UpstreamProblem:
    kind: str  # "unreachable", "timeout", "auth", "forbidden", "rate_limited", "server", ...
    title: str
    message: str
    status: int | None
    request_id: str | None
    # Rate limited: seconds until the API takes calls again. A page's panel retries by itself
    # then (GET only: a refused form is never sent again unasked).
    retry_in: int | None = None


def describe(exc: errors.APIError) -> UpstreamProblem:
    def problem(kind: str, title: str, message: str) -> UpstreamProblem:
        return UpstreamProblem(kind, title, message, exc.status, exc.request_id)

    if isinstance(exc, errors.APITimeoutError):
        return problem("timeout", "The Management API is slow", "It did not answer in time. Try again in a moment.")
    if isinstance(exc, errors.APIConnectionError):
        return problem(
            "unreachable",
            "The Management API is unreachable",
            "The dashboard could not connect to it. Check the API URL and the network, then try again.",
        )
    if isinstance(exc, errors.PermissionDeniedError):
        return problem(
            "forbidden",
            "Not allowed by the Management API",
            "The configured access token may not do this for this project or organization.",
        )
    if isinstance(exc, errors.AuthenticationError):
        return problem(
            "auth",
            "The Management API refused our credentials",
            "The configured access token is missing, wrong or expired. An administrator needs to replace it.",
        )
    if isinstance(exc, errors.RateLimitError):
        retry_in = max(1, math.ceil(exc.retry_after)) if exc.retry_after else RATE_LIMIT_RETRY_DEFAULT
        return UpstreamProblem(
            "rate_limited",
            "Rate limited by the Management API",
            f"It allows only so many calls a minute and this one's are used up. Try again in {retry_in} s.",
            exc.status,
            exc.request_id,
            retry_in,
        )
    if isinstance(exc, errors.ServerError):
        return problem("server", "The Management API failed", "It answered with a server error. Try again in a moment.")
    if isinstance(exc, errors.NotFoundError):
        return problem(
            "not_found",
            "Not found upstream",
            "The Management API does not know this project (it may have been deleted).",
        )
    if isinstance(exc, errors.ValidationError):
        return problem(
            "rejected", "The Management API rejected the request", exc.message or "It did not accept the values sent."
        )
    return problem(
        "invalid",
        "Unexpected answer from the Management API",
        "It answered with something the dashboard could not read. Try again later.",
    )


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A value, or the problem that replaced it."""

    value: T | None = None
    problem: UpstreamProblem | None = None


def attempt(call: Callable[[], T]) -> Outcome[T]:
    """Run one upstream call, turning a Management API failure into a problem to render."""
    try:
        return Outcome(value=call())
    except errors.APIError as exc:
        return Outcome(problem=describe(exc))


def from_result(result: Result[T]) -> Outcome[T]:
    """One entry of ``client.parallel(...)`` as an :class:`Outcome`."""
    if result.error is not None:
        return Outcome(problem=describe(result.error))
    return Outcome(value=result.value)
