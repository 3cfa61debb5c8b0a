"""HTTP for the local Management API: bearer auth, JSON in and out, the real API's status
codes, and a JSON ``{"message": ...}`` for every failure (never a stack trace)."""

from __future__ import annotations

import hmac
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import jsondata, ratelimit
from .backend import LocalAPI
from .config import LocalAPIConfig
from .errors import Problem
from .instances.pools import restarting, server_went

logger = logging.getLogger("platformkit.localapi")

Handler = Callable[..., tuple[int, Any]]
_from_settings: LocalAPI | None = None
_from_settings_lock = threading.Lock()


def backend_for(request: HttpRequest) -> LocalAPI:
    """The instance the serving handler attached (``LocalAPIServer``), or, when the URLconf is
    mounted in a host site, one configured by ``settings.PLATFORMKIT_LOCALAPI`` (the
    :class:`LocalAPIConfig` keyword arguments)."""
    global _from_settings
    attached = getattr(request, "localapi", None)
    if attached is not None:
        return attached
    with _from_settings_lock:
        if _from_settings is None:
            options = getattr(settings, "PLATFORMKIT_LOCALAPI", None)
            if options is None:
                raise ImproperlyConfigured("settings.PLATFORMKIT_LOCALAPI (LocalAPIConfig's arguments) is not set")
            _from_settings = LocalAPI(LocalAPIConfig(**options))
        return _from_settings


class PlainText(str):
    """A payload answered as ``text/plain`` (a branch diff, action-run logs)."""


class File(bytes):
    """A payload answered as a file (a function's bundle: a zip, unless ``content_type`` says otherwise)."""

    content_type = "application/zip"


class Redirect(str):
    """A payload answered as a redirect to this URL (the OAuth authorize step)."""


def answer(status: int, payload: Any) -> HttpResponse:
    """JSON (or no body for ``None``), with the ``x-request-id`` every real answer carries."""
    if isinstance(payload, File):
        response = HttpResponse(bytes(payload), status=status, content_type=payload.content_type)
    elif isinstance(payload, Redirect):
        response = HttpResponse(status=status)
        response["Location"] = str(payload)
    elif isinstance(payload, PlainText):
        response = HttpResponse(str(payload), status=status, content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(status=status) if payload is None else JsonResponse(payload, status=status, safe=False)
    response["x-request-id"] = str(uuid.uuid4())
    return response


def _authorized(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object body."""
    if not request.body:
        raise Problem(400, "Request body is required: a JSON object")
    parsed = jsondata.parse(request.body)
    if not isinstance(parsed, dict):
        raise Problem(400, f"Request body must be a JSON object, not {type(parsed).__name__}")
    return parsed


def query(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET[key] for key in request.GET}  # each parameter's last value, as QueryDict.items()


def services_param(request: HttpRequest) -> list[str]:
    """``services`` is an array query parameter (OpenAPI's default form/explode: repeated
    ``services=a&services=b``); a comma-separated value is accepted too, as clients send both."""
    return [name.strip() for value in request.GET.getlist("services") for name in value.split(",") if name.strip()]


def endpoint(**handlers: Handler) -> Callable[..., HttpResponse]:
    """One URL, a handler per HTTP method: ``endpoint(get=..., post=...)``.

    A handler is called as ``handler(api, request, **url_kwargs)`` and returns
    ``(status, payload)``; a ``None`` payload answers with no body."""

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        api = backend_for(request)
        api.simulate_latency()
        authorized = _authorized(request, api.config.token)
        decision = ratelimit.limiter_for(api).take(
            ratelimit.caller_of(api.config.token if authorized else None, request.META.get("REMOTE_ADDR", "")),
            # Without a valid token every path counts on one budget per address: a scope per path
            # would give each made-up /v1/organizations/<x> a fresh budget (and a counter).
            ratelimit.scope_of(kwargs, request.path) if authorized else "unauthenticated",
            ratelimit.budget_name(request.path),
        )
        handler = handlers.get((request.method or "").lower())
        started = time.monotonic()
        if not decision.allowed:  # refused before anything else, as the real API's gateway does
            message = f"Rate limit exceeded: {decision.limit} requests per window; retry in {decision.reset_seconds} s"
            response = answer(429, {"message": message})
        elif not authorized:
            return _with_headers(
                answer(401, {"message": "Unauthorized: send a valid token as Authorization: Bearer <token>"}), decision
            )
        elif handler is None:
            return _with_headers(
                answer(405, {"message": f"{request.method} is not allowed on {request.path}"}), decision
            )
        else:
            response = _handle(api, handler, request, kwargs)
        _with_headers(response, decision)
        if authorized and "ref" in kwargs and "/analytics/" not in request.path:  # querying logs is not itself logged
            api.logs.request(
                kwargs["ref"],
                method=request.method or "",
                path=request.path,
                search=f"?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else "",
                host=request.get_host(),
                headers=request.headers,
                remote_addr=request.META.get("REMOTE_ADDR", ""),
                status=response.status_code,
                duration_ms=(time.monotonic() - started) * 1000,
                request_id=response["x-request-id"],
                content_type=response.get("Content-Type", ""),
            )
        return response

    view.methods = tuple(method.upper() for method in handlers)  # type: ignore[attr-defined]
    return view


def _with_headers(response: HttpResponse, decision: ratelimit.Decision) -> HttpResponse:
    for name, value in decision.headers().items():
        response[name] = value
    return response


def _handle(api: LocalAPI, handler: Handler, request: HttpRequest, kwargs: dict[str, Any]) -> HttpResponse:
    try:
        status, payload = handler(api, request, **kwargs)
    except Problem as problem:
        return _problem(problem)
    except RequestDataTooBig:
        return answer(413, {"message": "Request body is too large"})
    except Exception as exc:
        if isinstance(exc, psycopg.Error) and server_went(exc):
            # The API's own work on a server replaced under it (a branch reset, a restore's swap,
            # a stop): retryable, not a failure of the API (tenant SQL answers its errors itself).
            # Logged still: the server that went may be the control instance.
            logger.warning("local API call cut by its database going: %s %s: %s", request.method, request.path, exc)
            ref = kwargs.get("ref") or kwargs.get("branch_id_or_ref") or "the project"
            return _problem(restarting(str(ref)))
        logger.exception("local API failure on %s %s", request.method, request.path)
        return answer(500, {"message": "Internal error in the local Management API"})
    return answer(status, payload)


def _problem(problem: Problem) -> HttpResponse:
    response = answer(problem.status, {"message": problem.message})
    for header, value in problem.headers.items():
        response[header] = value
    return response


def no_route(request: HttpRequest) -> tuple[int, Any]:
    return 404, {"message": f"Cannot {request.method} {request.path}"}


# Failures Django itself catches before or around a view answer in JSON too.
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return answer(400, {"message": "Bad request"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return answer(*no_route(request))


def server_error(request: HttpRequest) -> HttpResponse:
    return answer(500, {"message": "Internal error in the local Management API"})
