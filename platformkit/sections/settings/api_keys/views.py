"""Settings → API keys: masked by default; one key revealed on an explicit, audited POST (and
only then on the page, with a copy button); enable the new keys; delete one."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from platformkit.access import project_view, request_access
from platformkit.api import errors
from platformkit.core import reveals, upstream
from platformkit.core.idempotency import idempotent
from platformkit.core.post_only import post_form
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.settings import lazy
from platformkit.sections.settings.api_keys import services as api_key_flows
from platformkit.sections.settings.api_keys.forms import ApiKeyDeleteForm

SECTION = "settings"


def _page(request: HttpRequest, ref: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    target = request_target(request)
    read = lazy.panel(request, lambda client: api_key_flows.list_keys(target.ref, client=client), what="the API keys")
    context = {
        "ref": ref,
        "target": target,
        **read,
        "keys": read["value"] or [],
        "missing": api_key_flows.missing_new_keys(read["value"]) if read["value"] is not None else [],
        "query": target.query,
        **extra,
    }
    return render_page(
        request,
        "platformkit/settings/api_keys.html",
        context,
        section=SECTION,
        project_ref=ref,
        status=status,
        partial=lazy.PARTIAL,
    )


@require_GET
@project_view(SECTION)
def api_keys(request: HttpRequest, ref: str) -> HttpResponse:
    """The keys, masked; with a reveal token (``core.reveals``) the one key it names, once."""
    key_id = reveals.redeem(request, "api_key") if reveals.spent(request) else None
    if key_id is None:
        return _page(request, ref, reveal_spent=reveals.spent(request))
    if not request_access(request).offers(ref, SECTION, "settings.api_keys.reveal"):
        return _page(request, ref, reveal_spent=True)
    target = request_target(request)
    key = api_key_flows.reveal(request.user, ref, target.ref, key_id)
    if key is None:
        raise Http404("No such key")
    response = _page(request, ref, revealed=key)
    response["Cache-Control"] = "no-store"  # the one page that holds a secret is kept nowhere
    return response


@project_view(SECTION, write=True, action="settings.api_keys.reveal")
@post_form("api-keys")
@idempotent
def reveal(request: HttpRequest, ref: str, key_id: str) -> HttpResponse:
    """Redirect to a one-time GET of the key: a reload or Back shows it no more."""
    target = request_target(request)
    location = url(request, "api-keys", ref) + (target.query or "?") + ("&" if target.query else "")
    return redirect(location + urlencode({reveals.PARAM: reveals.issue(request, "api_key", key_id)}))


@project_view(SECTION, write=True)
@post_form("api-keys")
@idempotent
def enable(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    try:
        api_key_flows.enable(request.user, ref, target.ref)
    except errors.APIError as exc:
        return _page(request, ref, action_error=upstream.describe(exc).message)
    return redirect(url(request, "api-keys", ref) + target.query)


@project_view(SECTION, write=True, action="settings.api_keys.delete")
@post_form("api-keys")
@idempotent
def delete(request: HttpRequest, ref: str, key_id: str) -> HttpResponse:
    target = request_target(request)
    form = ApiKeyDeleteForm(request.POST)
    if not form.is_valid():
        return _page(request, ref, status=400, action_error=form.errors["confirm"][0])
    try:
        api_key_flows.delete(request.user, ref, target.ref, key_id, was_compromised=form.cleaned_data["compromised"])
    except errors.APIError as exc:
        return _page(request, ref, action_error=upstream.describe(exc).message)
    return redirect(url(request, "api-keys", ref) + target.query)
