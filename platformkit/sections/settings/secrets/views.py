"""Settings → Secrets: the names of a project's Edge Function secrets, bulk add (``.env`` or
JSON) with a warning before overwriting, delete. Values are never shown: the API returns digests."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from platformkit.access import project_view
from platformkit.api import errors
from platformkit.core import upstream
from platformkit.core.audit import audit_request
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.settings.secrets.services import SecretInputError, parse

SECTION = "settings"


def _page(request: HttpRequest, ref: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    target = request_target(request)
    listed = upstream.attempt(lambda: get_client().secrets.list(target.ref))
    context = {
        "ref": ref,
        "target": target,
        "secrets": listed.value or [],
        "problem": listed.problem,
        "add_url": url(request, "secrets-add", ref) + target.query,
        "delete_url": url(request, "secrets-delete", ref) + target.query,
        **extra,
    }
    return render_page(
        request, "platformkit/settings/secrets.html", context, section=SECTION, project_ref=ref, status=status
    )


@require_GET
@project_view(SECTION)
def secrets(request: HttpRequest, ref: str) -> HttpResponse:
    return _page(request, ref)


@require_POST
@project_view(SECTION, write=True)
def add(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    text = request.POST.get("secrets", "")
    try:
        pairs = parse(text)
    except SecretInputError as exc:
        return _page(request, ref, status=400, add_error=str(exc), text=text)
    existing = {secret.name for secret in upstream.attempt(lambda: get_client().secrets.list(target.ref)).value or []}
    overwritten = sorted(existing & set(pairs))
    if overwritten and request.POST.get("overwrite") != "yes":
        return _page(request, ref, status=409, overwrite=overwritten, text=text)
    try:
        get_client(cached=False).secrets.create(target.ref, pairs)
    except errors.APIError as exc:
        audit_request(
            request,
            "settings.secrets.set",
            project_ref=ref,
            success=False,
            detail={"target": target.ref, "names": sorted(pairs)},
        )
        return _page(
            request,
            ref,
            add_error=upstream.describe(exc).message,
            text=text,
            status=400 if isinstance(exc, errors.ValidationError) else 200,
        )
    forget_cached_reads()
    audit_request(
        request,
        "settings.secrets.set",
        project_ref=ref,
        detail={"target": target.ref, "names": sorted(pairs), "overwritten": overwritten},
    )
    return redirect(url(request, "secrets", ref) + target.query)


@require_POST
@project_view(SECTION, write=True, action="settings.secrets.delete")
def delete(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    names = request.POST.getlist("name")
    if not names:
        return _page(request, ref, status=400, delete_error="Tick the secrets to delete.")
    try:
        get_client(cached=False).secrets.delete(target.ref, names)
    except errors.APIError as exc:
        return _page(request, ref, delete_error=upstream.describe(exc).message)
    forget_cached_reads()
    audit_request(
        request, "settings.secrets.delete", project_ref=ref, detail={"target": target.ref, "names": sorted(names)}
    )
    return redirect(url(request, "secrets", ref) + target.query)
