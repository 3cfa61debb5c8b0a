"""Fault injection for the client: an httpx transport that answers from a script, a fake
clock and a recording sleep, so retry tests never really wait."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from platformkit.api import AsyncManagementClient, ManagementClient

TOKEN = "sbp_super_secret_token_value_0123456789"
REF = "abcdefghijklmnopqrst"


@dataclass
class FakeClock:
    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Script:
    """Answers requests in order (the last answer repeats); records every request."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock) -> Iterator[Callable[..., ManagementClient]]:
    clients: list[ManagementClient] = []

    def make(script: Script, **options: Any) -> ManagementClient:
        options.setdefault("random", lambda: 0.5)
        client = ManagementClient(
            TOKEN,
            "https://api.example.test",
            transport=httpx.MockTransport(script),
            sleep=clock.sleep,
            clock=clock,
            **options,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def make_async_client(clock: FakeClock) -> Callable[..., AsyncManagementClient]:
    def make(script: Script, **options: Any) -> AsyncManagementClient:
        options.setdefault("random", lambda: 0.5)
        return AsyncManagementClient(
            TOKEN,
            "https://api.example.test",
            transport=httpx.MockTransport(script),
            sleep=clock.asleep,
            clock=clock,
            **options,
        )

    return make


def json_response(status: int, payload: Any = None, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=payload, headers=headers)
