"""Settings → Configuration: one form per service (Auth, Data API, Storage, Realtime) built
from the fields the API returns; save shows the diff first; confirming applies it (Auth after
waiting for the service to be healthy)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from platformkit.access import project_view
from platformkit.api import errors
from platformkit.core import upstream
from platformkit.core.idempotency import idempotent
from platformkit.core.post_only import post_form
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.settings import lazy
from platformkit.sections.settings.config import fields as config_fields
from platformkit.sections.settings.config import services as config_changes
from platformkit.sections.settings.config.forms import ConfigApplyForm, ConfigChangeForm

SECTION = "settings"


def _service_or_404(service: str) -> str:
    if service not in config_fields.SERVICES:
        raise Http404("No such service")
    return service


def _actor(request: HttpRequest) -> str:
    """Whom a sealed review belongs to: the user, or the embed session's end-user."""
    return getattr(request.user, "platformkit_actor", None) or f"user:{request.user.pk}"


def _page(
    request: HttpRequest,
    ref: str,
    service: str,
    *,
    fields: list[config_fields.Field] | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    target = request_target(request)
    read: dict[str, Any] = {}
    if fields is None:  # a slow API does not hold the page: the form is a lazy panel
        read = lazy.panel(
            request,
            lambda client: config_changes.current(target.ref, service, client=client),
            what=f"the {config_fields.SERVICES[service]} settings",
        )
        if read["value"] is not None:
            fields = config_fields.build_fields(service, read["value"])
    context = {
        "ref": ref,
        "target": target,
        "service": service,
        "service_label": config_fields.SERVICES[service],
        "services": [
            (key, name, url(request, "config", ref, key) + target.query) for key, name in config_fields.SERVICES.items()
        ],
        "groups": config_fields.group_fields(service, fields or []),
        **read,
        "review_url": url(request, "config-review", ref, service) + target.query,
        **extra,
    }
    response = render_page(
        request,
        "platformkit/settings/config.html",
        context,
        section=SECTION,
        project_ref=ref,
        status=status,
        partial=lazy.PARTIAL,
    )
    add_never_cache_headers(response)
    return response


@require_GET
@project_view(SECTION)
def config(request: HttpRequest, ref: str, service: str) -> HttpResponse:
    return _page(request, ref, _service_or_404(service))


@project_view(SECTION, write=True, action="settings.config")
@post_form("config", "ref", "service")
@idempotent
def review(request: HttpRequest, ref: str, service: str) -> HttpResponse:
    service, target = _service_or_404(service), request_target(request)
    try:
        current = config_changes.current(target.ref, service, fresh=True)
    except errors.APIError as exc:
        return _page(request, ref, service, form_error=upstream.describe(exc).message, status=502)
    fields = config_fields.build_fields(service, current)
    form = ConfigChangeForm(request.POST, service=service, fields=fields)
    if not form.is_valid():
        return _page(request, ref, service, fields=fields, status=400, form_error=form.non_field_errors()[0])
    body, changes = form.cleaned_data["body"], form.cleaned_data["changes"]
    if not changes:
        return _page(request, ref, service, fields=fields, form_error="Nothing changed.")
    sealed = config_changes.seal_review(
        target_ref=target.ref, service=service, fields=fields, body=body, changes=changes, actor=_actor(request)
    )
    return _page(
        request,
        ref,
        service,
        fields=fields,
        changes=changes,
        sealed=sealed,
        apply_url=url(request, "config-apply", ref, service) + target.query,
    )


@project_view(SECTION, write=True, action="settings.config")
@post_form("config", "ref", "service")
@idempotent
def apply(request: HttpRequest, ref: str, service: str) -> HttpResponse:
    service, target = _service_or_404(service), request_target(request)
    form = ConfigApplyForm(request.POST, ref=target.ref, service=service, actor=_actor(request))
    if not form.is_valid():
        return _page(request, ref, service, form_error=form.errors["change"][0], status=400)
    sealed = form.cleaned_data["change"]
    try:
        operation = config_changes.apply(
            request.user, ref, target.ref, service, sealed["body"], sealed["base"], branch=target.branch_name
        )
    except config_fields.ConfigConflict as exc:
        return _page(request, ref, service, form_error=str(exc), status=409)
    except errors.APIError as exc:
        return _page(
            request,
            ref,
            service,
            form_error=upstream.describe(exc).message,
            status=400 if isinstance(exc, errors.ValidationError) else 502,
        )
    if operation is not None:
        return redirect(url(request, "operation", operation.pk))
    messages.success(request, f"{config_fields.SERVICES[service]} configuration saved.")
    return redirect(url(request, "config", ref, service) + target.query)
