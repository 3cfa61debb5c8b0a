"""Several calls at once, so a page costs its slowest call, not the sum of them.

Each call's outcome comes back in order as a :class:`Result`: a value, or the ``APIError`` that
replaced it, so one failing region of a page does not take the others down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from .errors import APIError

T = TypeVar("T")


@dataclass(frozen=True)
class Result(Generic[T]):
    value: T | None = None
    error: APIError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> T:
        if self.error is not None:
            raise self.error
        return cast(T, self.value)  # no error: the call returned, and T may itself allow None


def _capture(call: Callable[[], T]) -> Result[T]:
    try:
        return Result(value=call())
    except APIError as exc:
        return Result(error=exc)


def run_threads(calls: tuple[Callable[[], Any], ...], max_workers: int = 8) -> list[Result[Any]]:
    """Sync calls on a thread pool (the HTTP client is thread-safe and pools connections)."""
    if len(calls) <= 1:
        return [_capture(call) for call in calls]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(calls)), thread_name_prefix="platformkit-api") as pool:
        return list(pool.map(_capture, calls))


async def run_tasks(calls: tuple[Callable[[], Awaitable[Any]], ...]) -> list[Result[Any]]:
    async def capture(call: Callable[[], Awaitable[Any]]) -> Result[Any]:
        try:
            return Result(value=await call())
        except APIError as exc:
            return Result(error=exc)

    return list(await asyncio.gather(*(capture(call) for call in calls)))
