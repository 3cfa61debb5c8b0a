"""HTTP for the local Management API: bearer auth, JSON in and out, the real API's status
codes, and a JSON ``{"message": ...}`` for every failure (never a stack trace)."""

from __future__ import annotations

import hmac
import json
import logging
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .backend import LocalAPI, Problem
from .config import LocalAPIConfig

logger = logging.getLogger("platformkit.localapi")

Handler = Callable[..., tuple[int, Any]]
_from_settings: LocalAPI | None = None


def _backend(request: HttpRequest) -> LocalAPI:
    """The instance the serving handler attached, or one configured in settings when the
    URLconf is mounted in a host site (``PLATFORMKIT_LOCALAPI = {LocalAPIConfig kwargs}``)."""
    global _from_settings
    attached = getattr(request, "localapi", None)
    if attached is not None:
        return attached  # type: ignore[no-any-return]
    if _from_settings is None:
        _from_settings = LocalAPI(LocalAPIConfig(**settings.PLATFORMKIT_LOCALAPI))
    return _from_settings


def _answer(status: int, payload: Any) -> HttpResponse:
    if payload is None:
        response = HttpResponse(status=status)
    else:
        response = JsonResponse(payload, status=status, safe=False)
    response["x-request-id"] = str(uuid.uuid4())
    return response


def _authorized(request: HttpRequest, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        raise Problem(400, "request body is required: a JSON object")
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(400, f"request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise Problem(400, "request body must be a JSON object")
    return body


def endpoint(**handlers: Handler) -> Callable[..., HttpResponse]:
    """One URL, a handler per HTTP method: ``endpoint(get=..., post=...)``.

    A handler is called as ``handler(api, request, **url_kwargs)`` and returns
    ``(status, payload)``; ``payload`` ``None`` answers with no body."""

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        api = _backend(request)
        api.simulate_latency()
        if not _authorized(request, api.config.token):
            return _answer(401, {"message": "Unauthorized: a valid Bearer token is required"})
        handler = handlers.get(request.method.lower() if request.method else "")
        if handler is None:
            return _answer(405, {"message": f"{request.method} is not allowed here"})
        try:
            status, payload = handler(api, request, **kwargs)
        except Problem as problem:
            return _answer(problem.status, {"message": problem.message})
        except Exception:
            logger.exception("local API failure on %s %s", request.method, request.path)
            return _answer(500, {"message": "Internal error in the local Management API"})
        return _answer(status, payload)

    return view


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(404, {"message": f"No route for {request.method} {request.path}"})


def query(request: HttpRequest) -> dict[str, str]:
    return {key: value for key, value in request.GET.items()}


def body(request: HttpRequest) -> dict[str, Any]:
    return _json_body(request)


def services_param(request: HttpRequest) -> list[str]:
    """``services`` as repeated parameters or one comma-separated list (clients do both)."""
    return [name for value in request.GET.getlist("services") for name in value.split(",") if name]
