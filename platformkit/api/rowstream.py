"""The rows of a ``database/query`` answer read as they arrive, never the whole answer at once.

The answer is one JSON array of row objects; ijson (a streaming JSON parser over yajl) turns
each chunk the transport hands over into the rows it completes. A failure after the status
line (the connection drops, a read times out, the body breaks off or is not an array) is raised
as an :class:`~platformkit.api.errors.APIError`, like a failure before it: the caller has rows
already and must say the result is incomplete, since a streamed call cannot be sent again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ijson

from . import _transport, errors
from ._core import Call, transport_error


class RowStream:
    """Iterate once for the rows (ijson gives non-integral numbers as ``Decimal``); ``close``
    (or leave the ``with`` block) to free the connection early."""

    def __init__(self, response: _transport.Response, call: Call[Any]) -> None:
        self._response = response
        self._call = call

    def __enter__(self) -> RowStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._response.close()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        found: list[Any] = ijson.sendable_list()
        parser = ijson.items_coro(found, "item")
        started = False
        try:
            for chunk in self._response.iter_bytes():
                if not started and chunk.strip():
                    if not chunk.lstrip().startswith(b"["):
                        raise self._invalid("the answer is not an array of rows")
                    started = True
                parser.send(chunk)
                yield from found
                del found[:]
            parser.close()
            if not started:
                raise self._invalid("the answer is empty")
            yield from found
        except _transport.TRANSPORT_ERRORS as exc:
            raise transport_error(self._call, exc) from None
        except ijson.JSONError:
            raise self._invalid("the answer broke off or is not valid JSON") from None
        finally:
            self.close()

    def _invalid(self, message: str) -> errors.InvalidResponseError:
        return errors.InvalidResponseError(
            message, method=self._call.method, path=self._call.path, status=self._response.status_code
        )
