"""The demo's "host app": a page of Acme Builder's own, on another site, that embeds one
project's dashboard for one of its end-users — what a platform builder's backend does."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_deny

from platformkit.api import errors
from platformkit.core.client import get_client
from platformkit.embed import create_embed_url

# What this host lets its end-users do: look at SQL, apply migrations, make restore points,
# never point-in-time recovery.
PERMISSIONS = {
    "sections": {
        "sql": "read",
        "migrations": "read",
        "branches": "read",
        "restore_points": "write",
        "advisors": "read",
        "logs": "read",
    },
    "deny": ["restore_points.pitr"],
}
THEME = {"--pk-accent": "#0f766e", "--pk-radius": "10px"}


@login_required  # the host app's own sign-in (the demo reuses Django's)
@xframe_options_deny
def host_page(request: HttpRequest) -> HttpResponse:
    host, _, port = request.get_host().rpartition(":")
    if host != "localhost":
        # Same host, other port would be the same *site* and hide every cookie rule.
        return redirect(f"http://localhost:{port}{request.get_full_path()}")
    dashboard = f"{request.scheme}://127.0.0.1:{port}"
    origin = f"{request.scheme}://localhost:{port}"
    context: dict[str, object] = {"permissions": json.dumps(PERMISSIONS, indent=2), "dashboard_origin": dashboard}
    try:
        projects = get_client().projects.list()
    except errors.APIError as exc:
        context["problem"] = str(exc)
        projects = []
    if projects:
        project = projects[0]
        context["project"] = project
        context["embed_url"] = create_embed_url(
            dashboard, project.ref, subject="demo-end-user", origin=origin, permissions=PERMISSIONS, theme=THEME
        )
    context["allowed"] = origin in settings.PLATFORMKIT.get("EMBED_ALLOWED_ORIGINS", [])
    return render(request, "demo/host.html", context)
