"""One exception type per kind of failure, all under :class:`APIError`.

Each names the method, path, status and request id. None of them can carry the token: they
are built from the response status and body only, never from request headers.
"""

from __future__ import annotations


class APIError(Exception):
    """A Management API call failed."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.request_id = request_id
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.method} {self.path}"
        status = f" -> {self.status}" if self.status is not None else ""
        request_id = f" [request id {self.request_id}]" if self.request_id else ""
        return f"{where}{status}: {self.message}{request_id}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class AuthenticationError(APIError):
    """401: the token is missing, wrong or expired."""


class PermissionDeniedError(AuthenticationError):
    """403: the token may not do this."""


class NotFoundError(APIError):
    """404: no such resource."""


class ValidationError(APIError):
    """Another 4xx (400, 409, 422, ...): the API rejected what was sent; ``message`` says why."""


class RateLimitError(APIError):
    """429: too many requests; ``retry_after`` seconds, when the API said."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        method: str,
        path: str,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, method=method, path=path, status=status, request_id=request_id)


class ServerError(APIError):
    """5xx: the API failed."""


class APITimeoutError(APIError):
    """No answer in time."""


class APIConnectionError(APIError):
    """The network failed: no connection, or it broke mid-request."""


class InvalidResponseError(APIError):
    """A success whose body is not the JSON the API promises."""


def for_status(status: int) -> type[APIError]:
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDeniedError
    if status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitError
    if status >= 500:
        return ServerError
    return ValidationError
