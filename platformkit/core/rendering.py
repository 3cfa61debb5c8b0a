"""How every platformkit view answers: the full page, or one named partial of it for HTMX."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from platformkit.access import request_access
from platformkit.conf import get_config
from platformkit.core.banner import frame
from platformkit.core.navigation import nav_items
from platformkit.core.targets import Target


def current_app(request: HttpRequest) -> str | None:
    match = request.resolver_match
    return match.namespace if match else None


def url(request: HttpRequest, name: str, *args: Any) -> str:
    """``reverse`` within the instance namespace the request came through."""
    return reverse(f"platformkit:{name}", args=args, current_app=current_app(request))


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    section: str,
    partial: str | None = None,
    project_ref: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render ``template`` (or ``template#partial`` for an HTMX request) in the shell."""
    config = get_config()
    access = request_access(request)
    embed = getattr(request, "platformkit_embed", None)
    target = getattr(request, "platformkit_target", None)
    query = target.query if target is not None else ""
    project_ref = project_ref or (target.project_ref if target is not None else None)
    if project_ref and "target_banner" not in context:
        # Every project page names its target, production marked as such, and every project
        # section shows the branch switcher (core.banner: their calls at once, bounded).
        switcher = target is not None and "branch_switcher" not in context
        shown = target or Target(project_ref, project_ref)
        context = {**frame(shown, switcher=switcher, resolved=target is not None), **context}
    nav = [
        item
        for item in nav_items(section, project_ref, current_app(request), query)
        if access.can_view_section(item.key)
    ]
    if embed is not None:  # the frame shows its own project's sections only, no way out
        nav = [item for item in nav if item.key != "projects"]
    if request.method != "GET" and context.get("branch_switcher"):
        # A page answering a POST sits at the POST's URL; the switcher's GET goes to the section.
        context = {**context, "switcher_action": next((item.url for item in nav if item.current), None)}
    context = {
        # An embed has no outer navigation and the host page around it: its own minimal shell.
        "base_template": "platformkit/embed/base.html" if embed is not None else config["BASE_TEMPLATE"],
        "embed": embed,
        "embed_overview_url": url(request, "project", project_ref) if embed is not None and project_ref else None,
        "nav": nav,
        "access": access,
        "ui_poll_interval": config["UI_POLL_INTERVAL"],
        **context,
    }
    htmx = bool(getattr(request, "htmx", False))
    name = f"{template}#{partial}" if htmx and partial else template
    response = render(request, name, context, status=status)
    # One URL answers with a page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
