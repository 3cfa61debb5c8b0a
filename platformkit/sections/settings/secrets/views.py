"""Settings → Secrets: the names of a project's Edge Function secrets, bulk add (``.env`` or
JSON) with a warning before overwriting, delete. Values are never shown: the API returns digests."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from platformkit.access import project_view
from platformkit.api import errors
from platformkit.core import upstream
from platformkit.core.idempotency import idempotent
from platformkit.core.post_only import post_form
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.settings import lazy
from platformkit.sections.settings.secrets import services
from platformkit.sections.settings.secrets.forms import SecretsAddForm, SecretsDeleteForm

SECTION = "settings"


def _page(request: HttpRequest, ref: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    target = request_target(request)
    read = lazy.panel(request, lambda client: services.list_secrets(target.ref, client=client), what="the secrets")
    context = {
        "ref": ref,
        "target": target,
        **read,
        "secrets": read["value"] or [],
        "add_url": url(request, "secrets-add", ref) + target.query,
        "delete_url": url(request, "secrets-delete", ref) + target.query,
        **extra,
    }
    return render_page(
        request,
        "platformkit/settings/secrets.html",
        context,
        section=SECTION,
        project_ref=ref,
        status=status,
        partial=lazy.PARTIAL,
    )


@require_GET
@project_view(SECTION)
def secrets(request: HttpRequest, ref: str) -> HttpResponse:
    return _page(request, ref)


@project_view(SECTION, write=True)
@post_form("secrets")
@idempotent
def add(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    form = SecretsAddForm(request.POST)
    if not form.is_valid():
        return _page(request, ref, status=400, add_error=form.errors["secrets"][0], text=form.text)
    pairs, text = form.cleaned_data["secrets"], form.text
    overwritten = services.overwritten(target.ref, set(pairs))
    if overwritten and not form.cleaned_data["overwrite"]:
        return _page(request, ref, status=409, overwrite=overwritten, text=text)
    try:
        services.set_secrets(request.user, ref, target.ref, pairs, overwritten=overwritten)
    except errors.APIError as exc:
        return _page(
            request,
            ref,
            add_error=upstream.describe(exc).message,
            text=text,
            status=400 if isinstance(exc, errors.ValidationError) else 200,
        )
    return redirect(url(request, "secrets", ref) + target.query)


@project_view(SECTION, write=True, action="settings.secrets.delete")
@post_form("secrets")
@idempotent
def delete(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    form = SecretsDeleteForm(request.POST)
    if not form.is_valid():
        return _page(request, ref, status=400, delete_error=form.errors["name"][0])
    try:
        services.delete_secrets(request.user, ref, target.ref, form.cleaned_data["name"])
    except errors.APIError as exc:
        return _page(request, ref, delete_error=upstream.describe(exc).message)
    return redirect(url(request, "secrets", ref) + target.query)
