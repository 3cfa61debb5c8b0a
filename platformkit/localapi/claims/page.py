"""The local stand-in for Supabase's project-claim screen (where ``oauth/authorize/project-claim``
sends the end user): pick the receiving organization, see what moves along, approve. Reached
only through the unguessable one-off link the authorize step made; no Management API token."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.views.decorators.csrf import csrf_exempt

from platformkit.localapi.errors import Problem
from platformkit.localapi.views import backend_for

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Claim {name}</title>
<meta name="referrer" content="no-referrer"></head><body style="font-family:system-ui;max-width:40rem;margin:2rem auto">
<p><small>Local Management API — this page stands in for Supabase's claim screen.</small></p>
<h1>Transfer project {name}</h1><p>Project <code>{ref}</code> moves into the organization you choose.</p>
{warnings}{error}
<form method="post"><label>Organization <select name="organization">{options}</select></label>
<button type="submit">Approve the transfer</button></form></body></html>"""


@csrf_exempt  # the one-off link is the credential (a cross-site post would need to know it)
def claim_page(request: HttpRequest, request_id: str) -> HttpResponse:
    api = backend_for(request)
    error = ""
    try:
        if request.method == "POST":
            return HttpResponseRedirect(api.claims.approve(request_id, request.POST.get("organization", "")))
        pending = api.claims.pending(request_id)
    except Problem as problem:
        if problem.status == 404 or request.method != "POST":
            return HttpResponse(
                format_html("<!doctype html><title>Claim</title><p>{}</p>", problem.message), status=problem.status
            )
        pending, error = api.claims.pending(request_id), problem.message
    project = pending["project"]
    warnings = format_html_join("", "<li>{}</li>", ((warning["message"],) for warning in pending["warnings"]))
    options = format_html_join(
        "",
        '<option value="{}">{}</option>',
        ((org["slug"], org["name"]) for org in pending["organizations"] if org["slug"] != project.organization_slug),
    )
    return HttpResponse(
        PAGE.format(
            name=format_html("{}", project.name),
            ref=format_html("{}", project.ref),
            options=options,
            warnings=format_html("<p>Custom configuration moves along:</p><ul>{}</ul>", warnings) if warnings else "",
            error=format_html('<p role="alert">{}</p>', error) if error else "",
        )
    )
