"""Settings → Compute and add-ons (production only): the compute size with a confirmation that
names the new size, and the PITR add-on that enables point-in-time recovery."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
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
from platformkit.sections.settings.compute import services as compute
from platformkit.sections.settings.compute.forms import ComputeChangeForm, ComputeReviewForm, PitrForm, first_error

SECTION = "settings"


def _page(request: HttpRequest, ref: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    read = lazy.panel(request, lambda client: compute.options(ref, client=client), what="the compute options")
    context = {"ref": ref, "target": request_target(request), **read, "options": read["value"], **extra}
    return render_page(
        request,
        "platformkit/settings/compute.html",
        context,
        section=SECTION,
        project_ref=ref,
        status=status,
        partial=lazy.PARTIAL,
    )


@require_GET
@project_view(SECTION)
def compute_page(request: HttpRequest, ref: str) -> HttpResponse:
    return _page(request, ref)


def _upstream_status(exc: errors.APIError) -> int:
    return 400 if isinstance(exc, errors.ValidationError) else 502


@project_view(SECTION, write=True, action="settings.compute")
@post_form("compute")
@idempotent
def review(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        found = compute.options(ref)
    except errors.APIError as exc:
        return _page(request, ref, status=502, compute_error=upstream.describe(exc).message)
    form = ComputeReviewForm(request.POST, options=found)
    if not form.is_valid():
        return _page(request, ref, status=400, compute_error=first_error(form))
    return _page(request, ref, confirm=form.cleaned_data["variant"])


@project_view(SECTION, write=True, action="settings.compute")
@post_form("compute")
@idempotent
def change(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        found = compute.options(ref)
        form = ComputeChangeForm(request.POST, options=found)
        if not form.is_valid():
            return _page(request, ref, status=400, compute_error=first_error(form))
        operation = compute.change_compute(request.user, ref, found, form.cleaned_data["variant"])
    except errors.APIError as exc:
        return _page(request, ref, status=_upstream_status(exc), compute_error=upstream.describe(exc).message)
    return redirect(url(request, "operation", operation.pk))


@project_view(SECTION, write=True, action="settings.compute")
@post_form("compute")
@idempotent
def pitr(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        found = compute.options(ref)
        form = PitrForm(request.POST, options=found)
        if not form.is_valid():
            return _page(request, ref, status=400, pitr_error=first_error(form))
        compute.set_pitr(request.user, ref, found, form.cleaned_data["variant"])
    except compute.ComputeError as exc:
        return _page(request, ref, status=400, pitr_error=str(exc))
    except errors.APIError as exc:
        return _page(request, ref, status=_upstream_status(exc), pitr_error=upstream.describe(exc).message)
    messages.success(request, "Point-in-time recovery updated.")
    return redirect(url(request, "compute", ref))
