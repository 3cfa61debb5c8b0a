"""``ManagementClient`` and ``AsyncManagementClient``: one request core, two tiny drivers.

Resources are written once: a resource method describes the call and hands it to
``client._request``, which returns the result (sync) or an awaitable of it (async)::

    with ManagementClient(token) as client:
        project = client.projects.get("abcdefghijklmnopqrst")

    async with AsyncManagementClient(token) as client:
        project = await client.projects.get("abcdefghijklmnopqrst")
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from . import _transport
from ._core import Call, Core, RetryPolicy, Send
from .cache import ReadCache
from .pacing import Pacer
from .parallel import Result, run_tasks, run_threads
from .resources import (
    Advisors,
    Analytics,
    ApiKeys,
    Backups,
    Billing,
    Branches,
    Claims,
    Database,
    EdgeFunctions,
    Organizations,
    Projects,
    Secrets,
    ServiceConfig,
    Storage,
)
from .types import RateLimitState

T = TypeVar("T")
DEFAULT_BASE_URL = "https://api.supabase.com"


class _BaseClient(ABC):
    """What both clients share: options, the request core and the resources, which call
    :meth:`_request` (the one method a driver provides)."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 10.0,
        max_retries: int = 3,
        retry_deadline: float = 30.0,
        cache: ReadCache | None = None,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        if not token:
            raise ValueError("a Management API token is required")
        policy = RetryPolicy(max_retries=max_retries, deadline=retry_deadline)
        if random is not None:
            policy.random = random
        self.base_url = base_url.rstrip("/")
        # A pacer of its own unless given one to share with the token's other clients.
        self._core = Core(token=token, policy=policy, cache=cache, clock=clock, pacer=pacer or Pacer())
        self.organizations = Organizations(self)
        self.projects = Projects(self)
        self.database = Database(self)
        self.branches = Branches(self)
        self.backups = Backups(self)
        self.secrets = Secrets(self)
        self.api_keys = ApiKeys(self)
        self.config = ServiceConfig(self)
        self.billing = Billing(self)
        self.claims = Claims(self)
        self.advisors = Advisors(self)
        self.analytics = Analytics(self)
        self.functions = EdgeFunctions(self)
        self.storage = Storage(self)

    @abstractmethod
    def _request(self, call: Call[T]) -> Any:
        """Run ``call``: its result (sync) or an awaitable of it (async)."""

    @property
    def rate_limit(self) -> RateLimitState | None:
        """What the latest response's rate-limit headers said, if it sent any."""
        return self._core.rate_limit

    def __repr__(self) -> str:
        # Never the token.
        return f"<{type(self).__name__} base_url={self.base_url!r}>"


class ManagementClient(_BaseClient):
    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: _transport.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Any,
    ) -> None:
        super().__init__(token, base_url, **options)
        self._http = _transport.sync_http(self.base_url, options.get("timeout", 10.0), transport)
        self._sleep = sleep

    def _request(self, call: Call[T]) -> T:
        plan = self._core.plan(call)
        try:
            step = next(plan)
            while True:
                if isinstance(step, Send):
                    try:
                        outcome: Any = _transport.send(self._http, step)
                    except _transport.TRANSPORT_ERRORS as exc:
                        outcome = exc
                    step = plan.send(outcome)
                else:
                    self._sleep(step.seconds)
                    step = plan.send(None)
        except StopIteration as done:
            return cast(T, done.value)  # the plan's return value, which is T

    def parallel(self, *calls: Callable[[], Any]) -> list[Result[Any]]:
        """Run ``calls`` at once; results in order, each a value or the error instead."""
        return run_threads(calls)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ManagementClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncManagementClient(_BaseClient):
    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: _transport.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        **options: Any,
    ) -> None:
        super().__init__(token, base_url, **options)
        self._http = _transport.async_http(self.base_url, options.get("timeout", 10.0), transport)
        self._sleep = sleep

    async def _request(self, call: Call[T]) -> T:
        plan = self._core.plan(call)
        try:
            step = next(plan)
            while True:
                if isinstance(step, Send):
                    try:
                        outcome: Any = await _transport.send_async(self._http, step)
                    except _transport.TRANSPORT_ERRORS as exc:
                        outcome = exc
                    step = plan.send(outcome)
                else:
                    await self._sleep(step.seconds)
                    step = plan.send(None)
        except StopIteration as done:
            return cast(T, done.value)  # the plan's return value, which is T

    async def parallel(self, *calls: Callable[[], Awaitable[Any]]) -> list[Result[Any]]:
        return await run_tasks(calls)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncManagementClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
