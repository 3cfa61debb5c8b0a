"""Settings → API keys: masked by default; one key revealed on an explicit, audited POST (and
only then on the page, with a copy button); enable the new keys; delete one."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from platformkit.access import project_view
from platformkit.api import errors
from platformkit.core import upstream
from platformkit.core.audit import audit_request
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.settings.api_keys import services as api_key_flows

SECTION = "settings"


def _page(request: HttpRequest, ref: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    target = request_target(request)
    keys = upstream.attempt(lambda: get_client().api_keys.list(target.ref))
    context = {
        "ref": ref,
        "target": target,
        "keys": keys.value or [],
        "problem": keys.problem,
        "missing": api_key_flows.missing_new_keys(keys.value) if keys.value is not None else [],
        "query": target.query,
        **extra,
    }
    return render_page(
        request, "platformkit/settings/api_keys.html", context, section=SECTION, project_ref=ref, status=status
    )


@require_GET
@project_view(SECTION)
def api_keys(request: HttpRequest, ref: str) -> HttpResponse:
    return _page(request, ref)


@require_POST
@project_view(SECTION, write=True, action="settings.api_keys.reveal")
def reveal(request: HttpRequest, ref: str, key_id: str) -> HttpResponse:
    target = request_target(request)
    keys = get_client(cached=False).api_keys.list(target.ref, reveal=True)
    key = next((k for k in keys if k.id == key_id), None)
    if key is None:
        raise Http404("No such key")
    audit_request(
        request,
        "settings.api_keys.reveal",
        project_ref=ref,
        detail={"target": target.ref, "key": key.name, "type": key.type},
    )
    response = _page(request, ref, revealed=key)
    add_never_cache_headers(response)  # the one page that holds a secret is never cached
    return response


@require_POST
@project_view(SECTION, write=True)
def enable(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    try:
        created = api_key_flows.enable_new_keys(target.ref)
    except errors.APIError as exc:
        return _page(request, ref, action_error=upstream.describe(exc).message)
    audit_request(
        request, "settings.api_keys.enable", project_ref=ref, detail={"target": target.ref, "created": created}
    )
    return redirect(url(request, "api-keys", ref) + target.query)


@require_POST
@project_view(SECTION, write=True, action="settings.api_keys.delete")
def delete(request: HttpRequest, ref: str, key_id: str) -> HttpResponse:
    target = request_target(request)
    if request.POST.get("confirm") != "yes":
        return _page(
            request,
            ref,
            status=400,
            action_error="Tick the box to confirm deleting the key: apps using it stop working.",
        )
    try:
        key = get_client(cached=False).api_keys.delete(
            target.ref, key_id, was_compromised=request.POST.get("compromised") == "yes"
        )
    except errors.APIError as exc:
        return _page(request, ref, action_error=upstream.describe(exc).message)
    forget_cached_reads()
    audit_request(
        request,
        "settings.api_keys.delete",
        project_ref=ref,
        detail={"target": target.ref, "key": key.name, "type": key.type},
    )
    return redirect(url(request, "api-keys", ref) + target.query)
