"""A refused action answers inside its section: the section's own 403 page, with its navigation,
a link back to where the action was offered, and what was typed (so a query or a message is not
lost), instead of a bare "Not allowed" that fills the whole frame.

:func:`platformkit.access.project_view` reaches this module by its dotted path (access is
imported by the rendering it needs here, so a plain import would be a cycle).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from platformkit.core import sections
from platformkit.core.rendering import current_app, render_page
from platformkit.core.targets import Target, resolve_target

# Never echoed back: tokens of the form itself and anything that reads like a credential.
_HIDDEN_FIELDS = ("csrfmiddlewaretoken", "idempotency_key", "branch")
# Generated Auth config names say "pass", "key" or "auth" (smtp_pass, sms_*_api_key, ..._auth_token).
_SECRET_WORDS = ("pass", "secret", "token", "value", "key", "auth", "credential")


def back_url(request: HttpRequest, section: str, ref: str, target: Target) -> str:
    """Where ``section`` of project ``ref`` is listed (on ``target``), else the project's overview."""
    declared = sections.get(section)
    app = current_app(request)
    if declared.per_project and declared.url_name:
        try:
            return reverse(declared.url_name, args=[ref], current_app=app) + target.query
        except NoReverseMatch:
            pass
    return reverse("platformkit:project", args=[ref], current_app=app) + target.query


def typed_fields(request: HttpRequest) -> list[tuple[str, str]]:
    """The text the refused form carried, minus tokens and secrets, to copy from the page."""
    if request.method != "POST":
        return []
    kept = []
    for name in request.POST:
        value = str(request.POST.get(name, ""))
        if name in _HIDDEN_FIELDS or any(word in name.lower() for word in _SECRET_WORDS):
            continue
        if value.strip() and value not in ("on", "off"):
            kept.append((name, value))
    return kept


def refused(request: HttpRequest, ref: str, section: str, reason: str) -> HttpResponse:
    """The 403 page of ``section`` for an action the session may not take."""
    try:
        target = resolve_target(request, ref)
    except Http404:
        target = Target(ref, ref)
    request.platformkit_target = target  # type: ignore[attr-defined]
    context = {
        "ref": ref,
        "reason": reason,
        "back_url": back_url(request, section, ref, target),
        "typed": typed_fields(request),
        "branch_switcher": False,  # the page answers one request; switching belongs to the section
    }
    htmx = bool(getattr(request, "htmx", False))
    response = render_page(
        request,
        "platformkit/includes/refused.html",
        context,
        section=section,
        partial="refusal",
        project_ref=ref,
        # A 403 either way: layout.html's htmx-config swaps 403s in (htmx swaps no 4xx by default,
        # so the button would seem dead), retargeted over the page.
        status=403,
    )
    response["Cache-Control"] = "no-store"  # it may hold what the form carried
    if htmx:
        response["HX-Retarget"] = "#pk-page"
        response["HX-Reswap"] = "innerHTML"
    return response
