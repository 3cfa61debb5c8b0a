"""``database.query_stream``: the rows of one call read as they arrive; error statuses raised
before any row (after the one place's retries), a broken or wrong answer raised as an error
rather than ended quietly as a shorter result."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from platformkit.api import ManagementClient, errors
from tests.api.conftest import REF, Script, json_response
from tests.api.test_branches_database import _active_project


def _chunked(*parts: bytes) -> httpx.Response:
    """A 201 whose body arrives in ``parts`` (a stream, as over the network)."""

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield from parts

    return httpx.Response(201, stream=Body(), headers={"content-type": "application/json"})


def test_rows_arrive_chunk_by_chunk_and_numbers_keep_their_digits(make_client) -> None:
    script = Script(_chunked(b' [{"a": 1, "b": "x, ]"}', b', {"a": 2.50', b', "b": null}]'))
    with make_client(script).database.query_stream(REF, "select 1", read_only=True, timeout=30) as rows:
        assert list(rows) == [{"a": 1, "b": "x, ]"}, {"a": Decimal("2.50"), "b": None}]
    sent = script.requests[0]
    assert sent.method == "POST" and sent.url.path == f"/v1/projects/{REF}/database/query"
    assert b'"read_only":true' in sent.content.replace(b" ", b"")
    assert sent.extensions["timeout"]["read"] == 30


def test_an_error_status_is_raised_before_any_row_after_the_usual_retries(make_client, clock) -> None:
    script = Script(
        json_response(429, {"message": "slow down"}, **{"retry-after": "1"}),
        json_response(400, {"message": 'ERROR:  42703: column "x" does not exist'}),
    )
    with pytest.raises(errors.ValidationError, match="does not exist"):
        make_client(script).database.query_stream(REF, "select x")
    assert len(script.requests) == 2 and clock.slept == [1.0]


@pytest.mark.parametrize(
    ("parts", "rows_before"),
    [
        ((b'[{"a": 1}, {"a": 2}', b', {"a"'), 2),  # broke off
        ((b'{"message": "not rows"}',), 0),  # not an array
        ((b"",), 0),  # empty
    ],
)
def test_a_broken_or_wrong_answer_is_an_error_not_a_short_result(make_client, parts, rows_before) -> None:
    seen = []
    with pytest.raises(errors.InvalidResponseError):  # noqa: PT012 - the rows come before the error
        for row in make_client(Script(_chunked(*parts))).database.query_stream(REF, "select 1"):
            seen.append(row)
    assert len(seen) == rows_before


def test_a_dropped_connection_mid_answer_is_a_connection_error(make_client) -> None:
    class Drops(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b'[{"a": 1},'
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

    script = Script(httpx.Response(201, stream=Drops()))
    rows = make_client(script).database.query_stream(REF, "select 1")
    with pytest.raises(errors.APIConnectionError):
        list(rows)


def test_the_async_client_refuses_to_stream(make_async_client) -> None:
    with pytest.raises(TypeError):
        make_async_client(Script(_chunked(b"[]"))).database.query_stream(REF, "select 1")


def test_against_the_local_api(localapi) -> None:
    with ManagementClient(localapi.token, base_url=localapi.base_url) as client:
        ref = _active_project(client)
        with client.database.query_stream(ref, "select g from generate_series(1, 5000) g") as rows:
            assert [row["g"] for row in rows] == list(range(1, 5001))
        with pytest.raises(errors.ValidationError, match="division by zero"):
            client.database.query_stream(ref, "select 1 / 0")
