"""The one module that imports httpx: a move to its successor is a change here only.

Everything else in ``platformkit.api`` speaks of :data:`Request`, :data:`Response` and the
exception groups below. Tests inject faults through :data:`MockTransport`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx

Request = httpx.Request
Response = httpx.Response
MockTransport = httpx.MockTransport
BaseTransport = httpx.BaseTransport
AsyncBaseTransport = httpx.AsyncBaseTransport

# Nothing reached the server: always safe to try again.
NOT_SENT_ERRORS: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# The server may have received the request: only an idempotent one may be replayed.
TIMEOUT_ERRORS: tuple[type[Exception], ...] = (httpx.TimeoutException,)
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (httpx.TransportError,)


def timeout_config(seconds: float) -> httpx.Timeout:
    # Connecting should be quick even when an answer may take longer.
    return httpx.Timeout(seconds, connect=min(seconds, 5.0))


def sync_http(base_url: str, timeout: float, transport: Any = None) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=timeout_config(timeout), transport=transport)


def async_http(base_url: str, timeout: float, transport: Any = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=timeout_config(timeout), transport=transport)


@contextmanager
def body_arguments(step: Any) -> Iterator[dict[str, Any]]:
    """httpx arguments for a step's body: JSON, or multipart with each file opened now (so a
    retried upload starts again from its first byte) and streamed by httpx in chunks."""
    upload = getattr(step, "upload", None)
    if upload is None:
        yield {"json": step.json}
        return
    with ExitStack() as stack:
        files = []
        for item in upload.files:
            content = item.source if isinstance(item.source, bytes) else stack.enter_context(open(item.source, "rb"))
            files.append((item.field, (item.filename, content, item.content_type)))
        yield {"data": dict(upload.fields), "files": files}


def _request(http: httpx.Client | httpx.AsyncClient, step: Any, body: dict[str, Any]) -> httpx.Request:
    options: dict[str, Any] = {"timeout": timeout_config(step.timeout)} if step.timeout else {}
    return http.build_request(step.method, step.path, params=step.params, headers=step.headers, **body, **options)


def send(http: httpx.Client, step: Any) -> httpx.Response:
    """Send one step. A streamed one comes back open, its body unread, unless its status is an
    error: that body is read (for the error's message) and the response closed."""
    with body_arguments(step) as body:
        response = http.send(_request(http, step, body), stream=step.stream)
    if step.stream and response.status_code >= 400:
        try:
            response.read()
        finally:
            response.close()
    return response


async def send_async(http: httpx.AsyncClient, step: Any) -> httpx.Response:
    """:func:`send` for the async client."""
    with body_arguments(step) as body:
        response = await http.send(_request(http, step, body), stream=step.stream)
    if step.stream and response.status_code >= 400:
        try:
            await response.aread()
        finally:
            await response.aclose()
    return response
