from __future__ import annotations

from typing import Any, Protocol, TypeVar, cast
from urllib.parse import quote

from platformkit.api._core import Call

T = TypeVar("T")


class _Executor(Protocol):
    """A client: ``_request`` returns the call's result (sync) or an awaitable of it (async)."""

    def _request(self, call: Call[T]) -> Any: ...


class Resource:
    """Shared by the sync and the async client: ``_run`` returns a value or an awaitable.

    Methods are typed as the sync client sees them; on the async client each returns an
    awaitable of the declared type."""

    def __init__(self, client: _Executor) -> None:
        self._client = client

    def _run(self, call: Call[T]) -> T:
        return cast(T, self._client._request(call))


def segment(value: str) -> str:
    """A path parameter, quoted so it can never change the path. ``.`` and ``..`` survive
    quoting and would be resolved by the URL (``api-keys/..`` is the project itself), so
    they, and an empty value, are refused before any request is sent."""
    text = str(value)
    if text in ("", ".", ".."):
        raise ValueError(f"{text!r} is not a valid path parameter")
    return quote(text, safe="")
