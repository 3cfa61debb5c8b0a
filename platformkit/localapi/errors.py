"""The one failure the local API's behaviour raises: an HTTP status and the message the
caller reads in the JSON ``{"message": ...}`` body."""

from __future__ import annotations


class Problem(Exception):
    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}  # e.g. Retry-After on a 503


def require(condition: bool, message: str, status: int = 400) -> None:
    """Raise :class:`Problem` (400 unless told) when ``condition`` does not hold."""
    if not condition:
        raise Problem(status, message)
