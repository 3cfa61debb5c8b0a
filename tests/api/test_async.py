"""The async client runs the same core: same retries, same errors, same results."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from platformkit.api import errors
from tests.api.conftest import REF, Script, json_response

PROJECT = {"ref": REF, "name": "p", "organization_slug": "o", "region": "r", "status": "COMING_UP", "created_at": "t"}


def test_async_retries_429_with_retry_after(make_async_client, clock):
    script = Script(json_response(429, **{"Retry-After": "3"}), json_response(200, PROJECT))

    async def run():
        async with make_async_client(script) as client:
            return await client.projects.get(REF)

    assert asyncio.run(run()).status == "COMING_UP"
    assert clock.slept == [3.0] and len(script.requests) == 2


def test_async_errors_are_the_same_types(make_async_client):
    async def run():
        async with make_async_client(Script(json_response(404, {"message": "Project not found"}))) as client:
            await client.projects.get(REF)

    with pytest.raises(errors.NotFoundError, match="Project not found"):
        asyncio.run(run())


def test_async_create_is_not_replayed_after_a_timeout(make_async_client):
    script = Script(httpx.ReadTimeout("slow"), json_response(201, PROJECT))

    async def run():
        async with make_async_client(script) as client:
            await client.projects.create(name="p", organization_slug="o", db_pass="x")

    with pytest.raises(errors.APITimeoutError):
        asyncio.run(run())
    assert len(script.requests) == 1


def test_async_parallel_costs_the_slowest_call():
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.2)
        return httpx.Response(200, json=PROJECT)

    from platformkit.api import AsyncManagementClient

    async def run():
        async with AsyncManagementClient(
            "t", "https://api.example.test", transport=httpx.MockTransport(slow)
        ) as client:
            started = time.perf_counter()
            results = await client.parallel(*(lambda: client.projects.get(REF) for _ in range(3)))
            return results, time.perf_counter() - started

    results, elapsed = asyncio.run(run())
    assert [result.value.ref for result in results] == [REF] * 3
    assert elapsed < 0.45, elapsed
