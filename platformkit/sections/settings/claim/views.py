"""Settings → Transfer: the claim token (created, shown once, revoked) and the transfer of the
project to the end user's own organization, with the seed's warning first."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from platformkit.access import project_view
from platformkit.api import errors
from platformkit.core import upstream
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.settings.claim import services as claim
from platformkit.sections.settings.claim.forms import TransferForm

SECTION = "settings"


def _page(request: HttpRequest, ref: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    token = upstream.attempt(lambda: claim.current_token(ref))
    secrets = upstream.attempt(lambda: claim.secret_count(ref))
    context = {
        "ref": ref,
        "target": request_target(request),
        "token": token.value,
        "problem": token.problem,
        "secret_count": secrets.value or 0,
        "not_configured": claim.configured(),
        **extra,
    }
    response = render_page(
        request, "platformkit/settings/claim.html", context, section=SECTION, project_ref=ref, status=status
    )
    add_never_cache_headers(response)  # a fresh token is on this page once
    return response


@require_GET
@project_view(SECTION)
def claim_page(request: HttpRequest, ref: str) -> HttpResponse:
    return _page(request, ref)


@require_POST
@project_view(SECTION, write=True, action="settings.claim")
def create_token(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        created = claim.create_token(request.user, ref)
    except errors.APIError as exc:
        return _page(request, ref, status=502, claim_error=upstream.describe(exc).message)
    return _page(request, ref, created=created)


@require_POST
@project_view(SECTION, write=True, action="settings.claim")
def revoke_token(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        claim.revoke_token(request.user, ref)
    except errors.APIError as exc:
        return _page(request, ref, status=502, claim_error=upstream.describe(exc).message)
    messages.success(request, "Claim token revoked.")
    return redirect(url(request, "claim", ref))


@require_POST
@project_view(SECTION, write=True, action="settings.claim")
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
