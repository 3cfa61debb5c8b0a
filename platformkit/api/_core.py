"""The request core shared by the sync and the async client (no I/O here).

:func:`plan` is a generator that says what to do next: yield :class:`Send` (the driver sends
the request and hands back the response or the exception) or :class:`Sleep` (the driver
waits); its return value is the call's result. All retry, backoff, error-mapping, caching and
logging decisions live here, once; the drivers in ``client.py`` are a few lines each.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import math
import random
import time
import uuid
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from . import _transport, errors
from .cache import ReadCache
from .pacing import FIRST_ANSWER_POLL, Pacer, scope_of
from .types import RateLimitState

T = TypeVar("T")

logger = logging.getLogger("platformkit.api")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
REQUEST_ID_HEADERS = ("x-request-id", "sb-request-id", "cf-ray")
LOW_REMAINING = 5
EPOCH_SECONDS_FROM = 1_000_000_000  # a Reset above this is a Unix time (2001 on), not seconds to wait


@dataclass(frozen=True)
class UploadFile:
    field: str
    filename: str
    source: str | bytes  # a path on disk (streamed) or the content itself
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Upload:
    """A multipart/form-data body: text fields and files."""

    fields: dict[str, str]
    files: tuple[UploadFile, ...]


@dataclass(frozen=True)
class Call(Generic[T]):
    """One logical API call: what to send and how to read the answer."""

    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    cast: Callable[[Any], T] | None = None
    # The endpoint takes an Idempotency-Key: one key per call (or the caller's, e.g. one per
    # rendered form, so a double submit is applied once), sent on every attempt.
    idempotency_key: bool | str = False
    # The answer is text/plain (a branch diff, action-run logs), not JSON.
    text: bool = False
    # The answer is a redirect to hand on (the OAuth authorize endpoints): return its Location.
    location: bool = False
    # The answer is a file (a function's bundle): return its bytes.
    raw: bool = False
    # A multipart body (function deploys): files are opened afresh for each attempt and
    # streamed from disk, never read whole into memory.
    upload: Upload | None = None
    # False: a call that timed out (no answer in time, or a 504) is not sent again: a heavy
    # query (logs) would only run again, and the caller waits for nothing.
    retry_timeouts: bool = True
    # The answer is read as it arrives (a whole result set): the call returns the open response
    # for the caller to read and close; an error status is read whole and raised as any other.
    stream: bool = False
    # Seconds to wait for each byte (and to connect) instead of the client's timeout.
    timeout: float | None = None


@dataclass(frozen=True)
class Send:
    """Send one request (relative to the client's base URL)."""

    method: str
    path: str
    params: dict[str, Any] | None
    json: Any
    headers: dict[str, str]
    upload: Upload | None = None
    stream: bool = False  # the driver sends it streamed and reads only an error's body
    timeout: float | None = None


@dataclass(frozen=True)
class Sleep:
    seconds: float


Step = Send | Sleep
Outcome = _transport.Response | Exception


@dataclass
class RetryPolicy:
    max_retries: int = 3
    deadline: float = 30.0  # seconds for all attempts of one call together
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    random: Callable[[], float] = random.random

    def backoff(self, retry_number: int) -> float:
        """Exponential with jitter: half the step fixed, half random, so clients spread out."""
        step = min(self.backoff_cap, self.backoff_base * 2.0**retry_number)
        return step / 2 + self.random() * step / 2


@dataclass
class Core:
    """Per-client state the plan reads and updates."""

    token: str
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    cache: ReadCache | None = None
    clock: Callable[[], float] = time.monotonic
    rate_limit: RateLimitState | None = None
    # Per-scope budgets the API reported; shared by every client of one token where they run
    # side by side (the dashboard's), so together they stay within what is left.
    pacer: Pacer = field(default_factory=Pacer)

    def headers(self, idempotency_key: str | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def cache_key(self, call: Call[Any]) -> str:
        # A hash of the token, never the token: keys may sit in a shared cache. Not of the API's
        # URL: a token belongs to one API, and the sites and workers of one deployment may reach
        # it through different addresses — they must share its answers (and their budget).
        who = hashlib.sha256(self.token.encode()).hexdigest()[:16]
        query = json.dumps(call.params or {}, sort_keys=True, default=str)
        return f"{who}:{call.path}?{query}"

    def plan(self, call: Call[T]) -> Generator[Step, Outcome | None, T]:
        if call.method == "GET" and self.cache is not None and not (call.location or call.raw):
            hit = self.cache.get(self.cache_key(call))
            if hit is not None:
                return _cast(call, hit.data)
        elif call.method != "GET" and self.cache is not None:
            self.cache.invalidate()

        given = call.idempotency_key
        key = given if isinstance(given, str) and given else (str(uuid.uuid4()) if given else None)
        replayable = call.method in IDEMPOTENT_METHODS or key is not None
        scope = scope_of(call.path)
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            yield from self._pace(call, scope, started)
            sent_at = self.clock()
            try:
                outcome = yield Send(
                    call.method,
                    call.path,
                    _query(call.params),
                    call.json,
                    self.headers(key),
                    call.upload,
                    call.stream,
                    call.timeout,
                )
            except GeneratorExit:  # the driver gave up (a file that would not open): no answer to wait for
                self.pacer.failed(scope)
                raise
            elapsed_ms = (self.clock() - sent_at) * 1000
            if isinstance(outcome, Exception):
                self.pacer.failed(scope)
                error = transport_error(call, outcome)
                _log_failure(call, error, elapsed_ms, attempt)
                timed_out = isinstance(error, errors.APITimeoutError)
                may_retry = isinstance(outcome, _transport.NOT_SENT_ERRORS) or (
                    replayable and (call.retry_timeouts or not timed_out)
                )
                delay = self.policy.backoff(attempt - 1) if may_retry else None
            else:
                assert outcome is not None
                self._note_rate_limit(outcome, scope)
                _log_response(call, outcome, elapsed_ms, attempt)
                if outcome.status_code < 400 and call.stream:
                    return cast(T, outcome)  # open: the caller reads it as it arrives, then closes it
                if outcome.status_code < 400:
                    data = _body(call, outcome)
                    if call.method == "GET" and self.cache is not None and not (call.location or call.raw):
                        self.cache.set(self.cache_key(call), data)
                    return _cast(call, data)
                error = _status_error(call, outcome)
                # 429 means "refused, not processed": even a POST may go again.
                may_retry = outcome.status_code in RETRYABLE_STATUSES and (replayable or outcome.status_code == 429)
                may_retry = may_retry and (call.retry_timeouts or outcome.status_code != 504)
                delay = None
                if may_retry:
                    retry_after = _retry_after(outcome)
                    delay = retry_after if retry_after is not None else self.policy.backoff(attempt - 1)
                if outcome.status_code == 429:
                    # Nothing is left in this scope: the process's other calls wait too.
                    self.pacer.refused(scope, delay if delay is not None else 1.0, self.clock())

            out_of_time = delay is not None and self.clock() - started + delay > self.policy.deadline
            if delay is None or attempt > self.policy.max_retries or out_of_time:
                raise error
            yield Sleep(delay)

    def _pace(self, call: Call[Any], scope: str, started: float) -> Generator[Step, Outcome | None, None]:
        """Wait while the scope's budget is used up; refuse (without sending) when the window
        ends after this call's deadline, so the caller can say when to come back."""
        while (wait := self.pacer.reserve(scope, self.clock())) > 0:
            if self.clock() - started + wait > self.policy.deadline:
                raise errors.RateLimitError(
                    f"not sent: the rate limit for {scope} resets in {math.ceil(wait)} s, after this call's deadline",
                    retry_after=wait,
                    method=call.method,
                    path=call.path,
                )
            if wait > FIRST_ANSWER_POLL:
                logger.info("%s %s waits %.1f s for the rate limit of %s", call.method, call.path, wait, scope)
            yield Sleep(wait)

    def _note_rate_limit(self, response: _transport.Response, scope: str) -> None:
        state = _rate_limit(response)
        self.pacer.note(scope, state, self.clock())
        if state is None:
            return
        self.rate_limit = state
        if state.remaining is not None and state.remaining <= LOW_REMAINING:
            logger.warning("Management API rate limit nearly used: %s of %s left", state.remaining, state.limit)


def _query(params: dict[str, Any] | None) -> dict[str, Any] | None:
    if not params:
        return None
    return {key: value for key, value in params.items() if value is not None}


def _request_id(response: _transport.Response) -> str | None:
    for header in REQUEST_ID_HEADERS:
        if response.headers.get(header):
            return response.headers[header]
    return None


def _body(call: Call[Any], response: _transport.Response) -> Any:
    if call.raw:
        return response.content
    if call.location:
        return response.headers.get("location")
    if call.text:
        return response.text
    if not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        raise errors.InvalidResponseError(
            "the answer is not valid JSON",
            method=call.method,
            path=call.path,
            status=response.status_code,
            request_id=_request_id(response),
        ) from None


def _cast(call: Call[T], data: Any) -> T:
    if call.cast is None:
        return cast(T, data)  # no cast given: the caller declared what the JSON is
    try:
        return call.cast(data)
    except (TypeError, AttributeError, KeyError) as exc:
        raise errors.InvalidResponseError(
            f"the answer does not have the documented shape ({type(exc).__name__})", method=call.method, path=call.path
        ) from None


def _api_message(response: _transport.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("message", "error", "msg"):
            message = body.get(key)
            if isinstance(message, str) and message:
                return message
    text = response.text.strip()
    return text[:500] if text else (response.reason_phrase or "no message")


def _status_error(call: Call[Any], response: _transport.Response) -> errors.APIError:
    kind = errors.for_status(response.status_code)
    message, status, request_id = _api_message(response), response.status_code, _request_id(response)
    if kind is errors.RateLimitError:
        return errors.RateLimitError(
            message,
            retry_after=_retry_after(response),
            method=call.method,
            path=call.path,
            status=status,
            request_id=request_id,
        )
    return kind(message, method=call.method, path=call.path, status=status, request_id=request_id)


def transport_error(call: Call[Any], exc: Exception) -> errors.APIError:
    if isinstance(exc, _transport.TIMEOUT_ERRORS) and not isinstance(exc, _transport.NOT_SENT_ERRORS):
        return errors.APITimeoutError(f"no answer in time ({type(exc).__name__})", method=call.method, path=call.path)
    return errors.APIConnectionError(f"network failure ({type(exc).__name__})", method=call.method, path=call.path)


def _retry_after(response: _transport.Response) -> float | None:
    """Retry-After (seconds or an HTTP date); on a 429 without it, the rate limit's Reset."""
    value = response.headers.get("retry-after")
    if not value:
        state = _rate_limit(response) if response.status_code == 429 else None
        return state.reset_seconds if state is not None else None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _int_header(response: _transport.Response, *names: str) -> int | None:
    for name in names:
        value = response.headers.get(name)
        if value is not None:
            try:
                return int(float(value))
            except ValueError:
                return None
    return None


def _rate_limit(response: _transport.Response) -> RateLimitState | None:
    limit = _int_header(response, "x-ratelimit-limit", "ratelimit-limit")
    remaining = _int_header(response, "x-ratelimit-remaining", "ratelimit-remaining")
    reset = _int_header(response, "x-ratelimit-reset", "ratelimit-reset")
    if limit is None and remaining is None:
        return None
    if reset is not None and reset > EPOCH_SECONDS_FROM:  # some APIs send the moment, not the wait
        reset = max(0, reset - int(time.time()))
    return RateLimitState(limit=limit, remaining=remaining, reset_seconds=None if reset is None else float(reset))


def _log_response(call: Call[Any], response: _transport.Response, elapsed_ms: float, attempt: int) -> None:
    level = logging.INFO if response.status_code < 400 else logging.WARNING
    logger.log(
        level,
        "%s %s -> %s in %.0f ms (request id %s, attempt %d)",
        call.method,
        call.path,
        response.status_code,
        elapsed_ms,
        _request_id(response) or "-",
        attempt,
        extra={
            "api_method": call.method,
            "api_path": call.path,
            "api_status": response.status_code,
            "api_attempt": attempt,
        },
    )


def _log_failure(call: Call[Any], error: errors.APIError, elapsed_ms: float, attempt: int) -> None:
    logger.warning(
        "%s %s failed after %.0f ms: %s (attempt %d)",
        call.method,
        call.path,
        elapsed_ms,
        type(error).__name__,
        attempt,
        extra={"api_method": call.method, "api_path": call.path, "api_status": None, "api_attempt": attempt},
    )
