"""Settings → Transfer: the claim token (created, shown once, revoked) and the transfer of the
project to the end user's own organization, with the seed's warning first."""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from platformkit import crypto
from platformkit.access import project_view
from platformkit.api import errors
from platformkit.core import reveals, upstream
from platformkit.core.idempotency import idempotent
from platformkit.core.post_only import post_form
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.settings import lazy
from platformkit.sections.settings.claim import services as claim
from platformkit.sections.settings.claim.forms import TransferForm

SECTION = "settings"


def _page(request: HttpRequest, ref: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    read = lazy.panel(request, lambda client: claim.transfer_state(client, ref), what="the transfer state")
    token, secret_count = read["value"] or (None, 0)
    context = {
        "ref": ref,
        "target": request_target(request),
        **read,
        "token": token,
        "secret_count": secret_count,
        "not_configured": claim.configured(),
        **extra,
    }
    response = render_page(
        request,
        "platformkit/settings/claim.html",
        context,
        section=SECTION,
        project_ref=ref,
        status=status,
        partial=lazy.PARTIAL,
    )
    add_never_cache_headers(response)  # a fresh token is on this page once
    return response


@require_GET
@project_view(SECTION)
def claim_page(request: HttpRequest, ref: str) -> HttpResponse:
    """With a reveal token (``core.reveals``): the token just created, shown on this one GET."""
    nonce = reveals.redeem(request, "claim_token") if reveals.spent(request) else None
    held = cache.get(_HELD + nonce) if nonce else None
    if nonce:
        cache.delete(_HELD + nonce)
    created = json.loads(crypto.decrypt(held)) if held else None
    return _page(request, ref, created=created, reveal_spent=reveals.spent(request) and created is None)


# The API shows a new claim token once, in the POST's answer: it is held here, encrypted, for the
# redirect's GET to show (post/redirect/get), and dropped as soon as that GET has read it.
_HELD = "platformkit:claim-token:"


@project_view(SECTION, write=True, action="settings.claim")
@post_form("claim")
@idempotent
def create_token(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        created = claim.create_token(request.user, ref)
    except errors.APIError as exc:
        return _page(request, ref, status=502, claim_error=upstream.describe(exc).message)
    nonce = secrets.token_urlsafe(16)
    shown = {"token": created.token, "expires_at": created.expires_at}
    cache.set(_HELD + nonce, crypto.encrypt(json.dumps(shown)), timeout=reveals.MAX_AGE_SECONDS)
    token = reveals.issue(request, "claim_token", nonce)
    return redirect(url(request, "claim", ref) + "?" + urlencode({reveals.PARAM: token}))


@project_view(SECTION, write=True, action="settings.claim")
@post_form("claim")
@idempotent
def revoke_token(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        claim.revoke_token(request.user, ref)
    except errors.APIError as exc:
        return _page(request, ref, status=502, claim_error=upstream.describe(exc).message)
    messages.success(request, "Claim token revoked.")
    return redirect(url(request, "claim", ref))


@project_view(SECTION, write=True, action="settings.claim")
@post_form("claim")
@idempotent
def transfer(request: HttpRequest, ref: str) -> HttpResponse:
    form = TransferForm(request.POST, not_configured=claim.configured())
    if not form.is_valid():
        return _page(request, ref, status=400, transfer_error=form.non_field_errors()[0])
    try:
        location = claim.transfer_url(request.user, ref, confirmed_cleanup=form.cleaned_data["cleaned_up"])
    except claim.ClaimError as exc:
        return _page(request, ref, status=400, transfer_error=str(exc))
    except errors.APIError as exc:
        return _page(request, ref, status=502, transfer_error=upstream.describe(exc).message)
    return HttpResponseRedirect(location)  # Supabase's claim screen (the local API's stand-in offline)
