"""Embed endpoints: the link exchange an iframe opens, and the HTTP API hosts not written in
Python use to mint links and revoke sessions."""

from __future__ import annotations

import hmac
import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from platformkit.conf import get_config
from platformkit.core.audit import audit
from platformkit.embed import grants, permissions
from platformkit.embed.cookies import set_partitioned_cookie
from platformkit.embed.requests import app_root, frame_headers

COOKIE_GRACE_SECONDS = 24 * 3600


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Exchange ``?token=`` once for a session cookie, then redirect so the token leaves the URL."""
    config = get_config()
    ancestors = list(config["EMBED_ALLOWED_ORIGINS"])
    try:
        session, key = grants.exchange(request.GET.get("token", ""))
    except grants.EmbedError as exc:
        status = 410 if exc.kind in ("expired", "used") else 400
        response = render(request, "platformkit/embed/error.html", {"kind": exc.kind}, status=status)
    else:
        audit(
            None,
            "embed.start",
            project_ref=session.project_ref,
            detail={
                "subject": session.subject,
                "session": session.pk,
                "sections": session.permissions.get("sections", {}),
            },
        )
        match = request.resolver_match
        landing = reverse(
            "platformkit:project", args=[session.project_ref], current_app=match.namespace if match else None
        )
        response = redirect(landing)
        response.status_code = 303
        # The cookie outlives the session by a day, so an expired session is recognised (and the
        # host told) rather than the browser silently dropping it and the frame asking for a login.
        lifetime = int(config["EMBED_SESSION_SECONDS"]) + COOKIE_GRACE_SECONDS
        set_partitioned_cookie(response, config["EMBED_COOKIE_NAME"], key, max_age=lifetime, path=app_root(request))
        ancestors = [session.origin]
    response["Referrer-Policy"] = "no-referrer"
    add_never_cache_headers(response)
    return frame_headers(response, ancestors)  # ``framed`` keeps these: no session yet


def _host_key_ok(request: HttpRequest) -> bool:
    keys = get_config()["EMBED_HOST_KEYS"]
    if not keys:
        raise Http404("The embed HTTP API is off (no EMBED_HOST_KEYS)")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and any(
        hmac.compare_digest(given.strip().encode(), str(key).encode()) for key in keys
    )


def _json(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise permissions.PermissionError("the body must be JSON") from None
    if not isinstance(body, dict):
        raise permissions.PermissionError("the body must be a JSON object")
    return body


@csrf_exempt  # server-to-server, authenticated by a bearer key, never by a browser cookie
@require_POST
def mint_link(request: HttpRequest) -> HttpResponse:
    """``POST embed/links``: ``{"project_ref", "subject", "origin", "permissions"?, "theme"?,
    "ttl_seconds"?}`` → 201 ``{"url", "expires_at"}``."""
    if not _host_key_ok(request):
        return JsonResponse({"message": "Unauthorized: send Authorization: Bearer <EMBED_HOST_KEYS entry>"}, status=401)
    try:
        body = _json(request)
        link = grants.mint(
            str(body.get("project_ref", "")),
            subject=str(body.get("subject", "")),
            origin=str(body.get("origin", "")),
            permissions=body.get("permissions"),
            theme=body.get("theme"),
            ttl_seconds=body.get("ttl_seconds"),
        )
    except permissions.PermissionError as exc:
        return JsonResponse({"message": str(exc)}, status=400)
    audit(
        None,
        "embed.mint",
        project_ref=link.grant.project_ref,
        detail={"subject": link.grant.subject, "grant": link.grant.pk},
    )
    start_url = request.build_absolute_uri(reverse("platformkit:embed-start", current_app=_namespace(request)))
    return JsonResponse({"url": link.url(start_url), "expires_at": link.grant.expires_at.isoformat()}, status=201)


@csrf_exempt
@require_POST
def revoke_sessions(request: HttpRequest) -> HttpResponse:
    """``POST embed/sessions/revoke``: ``{"subject"?, "project_ref"?}`` → 200 ``{"revoked": n}``."""
    if not _host_key_ok(request):
        return JsonResponse({"message": "Unauthorized"}, status=401)
    try:
        body = _json(request)
        count = grants.revoke(subject=body.get("subject"), project_ref=body.get("project_ref"))
    except (permissions.PermissionError, ValueError) as exc:
        return JsonResponse({"message": str(exc)}, status=400)
    audit(
        None,
        "embed.revoke",
        project_ref=str(body.get("project_ref") or ""),
        detail={"subject": body.get("subject"), "revoked": count},
    )
    return JsonResponse({"revoked": count})


def _namespace(request: HttpRequest) -> str | None:
    match = request.resolver_match
    return match.namespace if match else None


urlpatterns = [
    path("embed/start/", start, name="embed-start"),
    path("embed/links", mint_link, name="embed-links"),
    path("embed/sessions/revoke", revoke_sessions, name="embed-revoke"),
]
