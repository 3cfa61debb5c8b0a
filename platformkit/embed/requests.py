"""An embed session as seen by a request: who it acts for, its CSRF secret, its framing headers.

Operator pages keep Django's cookie-based CSRF; an embed session cannot (Django's ``csrftoken``
cookie is ``Lax`` and never reaches a cross-site frame), so its own per-session secret stands in
for that cookie: the same ``{% csrf_token %}`` / ``X-CSRFToken`` tokens then mask the session's
secret and Django's own check compares them, plus a ``Sec-Fetch-Site`` check on writes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from platformkit.api.errors import NotFoundError
from platformkit.conf import get_config
from platformkit.embed.grants import active_session, ended_session
from platformkit.models import EmbedSession

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class EmbedPrincipal(AnonymousUser):
    """``request.user`` during an embed session: no Django account, no permissions, but a name
    for the audit trail (``embed:<subject>``)."""

    def __init__(self, session: EmbedSession) -> None:
        super().__init__()
        self.platformkit_actor = f"embed:{session.subject}"

    def __str__(self) -> str:
        return self.platformkit_actor


def session_for(request: HttpRequest) -> EmbedSession | None:
    if not hasattr(request, "_platformkit_embed"):
        key = request.COOKIES.get(get_config()["EMBED_COOKIE_NAME"])
        request._platformkit_embed = active_session(key)  # type: ignore[attr-defined]
    return request._platformkit_embed  # type: ignore[attr-defined]


def ended_session_for(request: HttpRequest) -> EmbedSession | None:
    """The expired or revoked session this browser's embed cookie still names, if any."""
    return ended_session(request.COOKIES.get(get_config()["EMBED_COOKIE_NAME"]))


def session_ended(request: HttpRequest, session: EmbedSession) -> HttpResponse:
    """What a frame whose session ended gets, instead of the host's login page inside the frame:
    a page that tells the host (``platformkit:session-expired``, to the bound origin only) so
    it can mint a fresh link. An HTMX request (a poll, a form) reloads the frame to get it."""
    reason = "revoked" if session.revoked_at else "expired"
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=403)
        response["HX-Refresh"] = "true"
    else:
        context = {"kind": "ended", "reason": reason, "host_origin": session.origin}
        response = render(request, "platformkit/embed/error.html", context, status=403)
    add_never_cache_headers(response)
    return frame_headers(response, [session.origin])


def enter(request: HttpRequest, session: EmbedSession) -> None:
    """Act for the session in this request: its principal, its CSRF secret."""
    request.user = EmbedPrincipal(session)
    request.COOKIES[settings.CSRF_COOKIE_NAME] = session.csrf_secret
    request.META["CSRF_COOKIE"] = session.csrf_secret


def cross_site_write(request: HttpRequest) -> bool:
    """A write the browser says came from another site (or origin): refused for embed sessions."""
    if request.method in SAFE_METHODS:
        return False
    fetch_site = request.headers.get("Sec-Fetch-Site")
    return fetch_site is not None and fetch_site not in ("same-origin", "none")


def keep_csrf_secret(request: HttpRequest) -> None:
    """Tell Django's CSRF middleware not to send the session's secret as a ``csrftoken`` cookie
    (whatever the view did, raised included)."""
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False


def leave(request: HttpRequest, response: HttpResponse) -> None:
    """Never let the session's CSRF secret out as a ``csrftoken`` cookie."""
    keep_csrf_secret(request)
    response.cookies.pop(settings.CSRF_COOKIE_NAME, None)


def frame_headers(response: HttpResponse, ancestors: list[str] | None) -> HttpResponse:
    """``frame-ancestors``: the embed's host origin(s); ``'none'`` (and XFO DENY) otherwise."""
    if ancestors:
        response["Content-Security-Policy"] = "frame-ancestors " + " ".join(ancestors)
        response.xframe_options_exempt = True
        if "X-Frame-Options" in response:
            del response["X-Frame-Options"]
    else:
        response["Content-Security-Policy"] = "frame-ancestors 'none'"
        response["X-Frame-Options"] = "DENY"
    return response


def app_root(request: HttpRequest) -> str:
    match = request.resolver_match
    return reverse("platformkit:projects", current_app=match.namespace if match else None)


def framed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Around every platformkit URL (outermost, so 405s and errors are covered too): framing
    headers on every answer, and inside an embed a plain error page instead of the host's."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        session = session_for(request)
        try:
            response = view(request, *args, **kwargs)
        except (Http404, PermissionDenied, NotFoundError) as exc:
            if session is None and not isinstance(exc, NotFoundError):
                raise  # the host's own 404 / 403 pages for its operators
            status = 403 if isinstance(exc, PermissionDenied) else 404
            response = render(request, "platformkit/embed/error.html", {"kind": str(status)}, status=status)
        if "Content-Security-Policy" in response:
            return response  # the view chose (the embed start page)
        return frame_headers(response, [session.origin] if session is not None else None)

    return wrapper
