"""The demo's "host app": a page of Acme Builder's own, on another site, that embeds one
project's dashboard for one of its end-users — what a platform builder's backend does.

The operator picks the project and the permission set (a POST, CSRF-protected, that only
records the choice in their session, then a redirect); each GET of the page mints a fresh
one-time link for that choice server-side, so a reload opens a fresh embed session and never
resubmits a form. The Management API token never leaves the server: the browser only ever
sees the signed, short-lived, scoped embed link."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.http import require_http_methods

from platformkit.access import get_access
from platformkit.api import errors
from platformkit.core.client import get_client
from platformkit.embed import create_embed_url
from platformkit.embed.permissions import PermissionError as PermissionSetError

THEME = {"--pk-accent": "#0f766e", "--pk-radius": "10px"}
_SECTIONS_SHOWN = ("sql", "migrations", "branches", "restore_points", "advisors", "logs")


@dataclass(frozen=True)
class PermissionSet:
    label: str
    permissions: dict[str, Any]


# What this host may let its end-users do. The first is the default.
PERMISSION_SETS = {
    # Look at SQL, make restore points, never point-in-time recovery.
    "developer": PermissionSet(
        "Developer: read everything, make restore points",
        {
            "sections": {**dict.fromkeys(_SECTIONS_SHOWN, "read"), "restore_points": "write"},
            "deny": ["restore_points.pitr"],
        },
    ),
    "read-only": PermissionSet(
        "Read-only: look, change nothing",
        {"sections": dict.fromkeys(_SECTIONS_SHOWN, "read"), "deny": []},
    ),
    "maintainer": PermissionSet(
        "Maintainer: change SQL, migrations, branches and restore points (no PITR, no branch delete)",
        {
            "sections": {**dict.fromkeys(_SECTIONS_SHOWN, "write"), "logs": "read"},
            "deny": ["restore_points.pitr", "branches.delete"],
        },
    ),
}
DEFAULT_SET = next(iter(PERMISSION_SETS))
PERMISSIONS = PERMISSION_SETS[DEFAULT_SET].permissions
SESSION_KEY = "demo_host_choice"


def _operator_only(request: HttpRequest) -> None:
    """Minting links is for the dashboard's operators (its permission policy), not any account."""
    if get_access(request.user) is None:
        raise PermissionDenied("Only a dashboard operator may open an embed from the host page.")


@login_required  # the host app's own sign-in (the demo reuses Django's)
@xframe_options_deny
@require_http_methods(["GET", "POST"])
def host_page(request: HttpRequest) -> HttpResponse:
    host, _, port = request.get_host().rpartition(":")
    if host != "localhost":
        # Same host, other port would be the same *site* and hide every cookie rule.
        return redirect(f"http://localhost:{port}{request.get_full_path()}")
    _operator_only(request)
    dashboard = f"{request.scheme}://127.0.0.1:{port}"
    origin = f"{request.scheme}://localhost:{port}"
    context: dict[str, Any] = {
        "dashboard_origin": dashboard,
        "permission_sets": PERMISSION_SETS,
        "allowed": origin in settings.PLATFORMKIT.get("EMBED_ALLOWED_ORIGINS", []),
    }
    try:
        projects = get_client().projects.list()
    except errors.APIError as exc:
        context["problem"] = str(exc)
        projects = []
    context["projects"] = projects
    refs = [project.ref for project in projects]
    choice = dict(request.session.get(SESSION_KEY) or {})
    if request.method == "POST":
        wanted = {"project": request.POST.get("project", ""), "permissions": request.POST.get("permissions", "")}
        problems = []
        if wanted["project"] not in refs:
            problems.append("Pick one of the listed projects.")
        if wanted["permissions"] not in PERMISSION_SETS:
            problems.append("Pick one of the listed permission sets.")
        if not problems:
            request.session[SESSION_KEY] = wanted
            return redirect("demo-host", permanent=False)  # 302 to a GET: a reload mints, never re-posts
        context.update(problems=problems, chosen=wanted, permissions=json.dumps(PERMISSIONS, indent=2))
        return render(request, "demo/host.html", context, status=400)
    set_key = choice.get("permissions") if choice.get("permissions") in PERMISSION_SETS else DEFAULT_SET
    chosen_set = PERMISSION_SETS[set_key]
    # A project deleted since it was chosen falls back to the first one listed.
    project = next((p for p in projects if p.ref == choice.get("project")), projects[0] if projects else None)
    context.update(
        chosen={"project": project.ref if project else "", "permissions": set_key},
        permissions=json.dumps(chosen_set.permissions, indent=2),
    )
    if project is not None:
        context["project"] = project
        try:
            context["embed_url"] = create_embed_url(
                dashboard,
                project.ref,
                subject="demo-end-user",
                origin=origin,
                permissions=chosen_set.permissions,
                theme=THEME,
            )
        except PermissionSetError as exc:  # e.g. this origin is not allowed to frame the dashboard
            context["mint_problem"] = str(exc)
    response = render(request, "demo/host.html", context)
    add_never_cache_headers(response)  # the page carries a one-time link
    return response
