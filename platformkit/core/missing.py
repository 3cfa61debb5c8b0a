"""Something missing inside the dashboard answers the dashboard's own 404 page: its layout and
navigation, what was asked for (escaped), and a way back to where it is listed, rather than
the host's 404 page (or Django's debug page) in place of the whole shell.

Applied by the app's URLconf around every section view (:func:`inside_dashboard`), so a host
needs no ``handler404`` of its own. Only past the dashboard's gate (the request has its
access): a user who may not use the dashboard, or a section switched off, still gets the host's
plain 404, which tells them nothing about what exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from platformkit.access import request_access
from platformkit.api.errors import NotFoundError
from platformkit.conf import SetupMissing
from platformkit.core import panels
from platformkit.core.refusals import back_url, refused
from platformkit.core.rendering import current_app, render_page
from platformkit.core.targets import Target
from platformkit.embed import requests as embed_requests

View = Callable[..., HttpResponse]


def _project_exists(request: HttpRequest, ref: str) -> bool:
    if not request_access(request).can_view(ref):
        return False  # hidden from this session: no call, so its existence does not leak
    try:
        client = panels.panel_client()
    except SetupMissing:
        return True  # cannot tell: keep the project's navigation, the page says what is missing

    def exists() -> bool:
        try:
            client.projects.get(ref)
        except NotFoundError:
            return False
        return True

    # Through the panels' pool, as the banner's own call: the read lands in the shared cache
    # from there, and a slow API costs at most PANEL_WAIT.
    outcome = panels.gather({"exists": exists})["exists"]
    return outcome is None or outcome.value is not False


def not_found(request: HttpRequest, section: str, ref: str | None) -> HttpResponse:
    """The 404 page of ``section`` (of project ``ref``, when it exists)."""
    project_ref = ref if ref and _project_exists(request, ref) else None
    context: dict[str, Any] = {"asked_for": request.path, "branch_switcher": False}
    if project_ref:
        # An unknown ?branch= was never resolved: the way back leads to production's section.
        target = getattr(request, "platformkit_target", None) or Target(project_ref, project_ref)
        request.platformkit_target = target  # type: ignore[attr-defined]
        context.update(back_url=back_url(request, section, project_ref, target), back_label="Back")
        section_shown = section
    else:
        embed = getattr(request, "platformkit_embed", None)
        if embed is not None:  # no way out of the embed's project
            context.update(
                back_url=reverse("platformkit:project", args=[embed.project_ref], current_app=current_app(request)),
                back_label="Back to the overview",
            )
            project_ref = embed.project_ref
        else:
            context.update(
                back_url=reverse("platformkit:projects", current_app=current_app(request)),
                back_label="Back to the projects",
            )
        section_shown = "projects"
    response = render_page(
        request,
        "platformkit/includes/not_found.html",
        context,
        section=section_shown,
        partial="not_found",
        project_ref=project_ref,
        status=404,
    )
    if getattr(request, "platformkit_embed", None) is not None:
        embed_requests.leave(request, response)  # rendering used the session's CSRF secret
    return response


def inside_dashboard(view: View) -> View:
    """A view whose 404s (its own, or the Management API's) answer :func:`not_found`, and whose
    own 403s the section's refusal page (:func:`platformkit.core.refusals.refused`)."""
    section = str(getattr(view, "platformkit_section", "projects"))

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (Http404, NotFoundError):
            if not hasattr(request, "platformkit_access"):
                raise  # turned away at the gate: the host's own 404
            return not_found(request, section, kwargs.get("ref"))
        except PermissionDenied:
            ref = kwargs.get("ref")
            if not hasattr(request, "platformkit_access") or not ref:
                raise  # no dashboard access at all (or nothing to go back to): the host's own 403
            # A view's own refusal (past the gate) answers inside its section, as the gate's do.
            return refused(request, ref, section, "Your access to this project does not include this action.")

    return wrapper
