"""Logs: the explorer. Everything the query needs is in the URL (a GET form), so a view of the
logs can be shared; results refresh themselves only when asked to."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from platformkit.access import project_view
from platformkit.core.rendering import render_page
from platformkit.core.targets import request_target
from platformkit.sections.logs import services as logs
from platformkit.sections.logs.forms import LogQueryForm

SECTION = "logs"


@require_GET
@project_view(SECTION)
def explorer(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    form = LogQueryForm(request.GET)
    outcome, form_error = None, None
    if form.is_valid():
        query = form.query()
        if request.GET:
            outcome = logs.run(target.ref, query)
    else:
        query, form_error = form.kept_query(), form.first_error
    template_links = {
        key: "?"
        + urlencode(
            {**({"branch": target.ref} if not target.is_production else {}), "template": key, "range": query.preset}
        )
        for key in logs.TEMPLATES
    }
    context = {
        "ref": ref,
        "target": target,
        "query": query,
        "outcome": outcome,
        "form_error": form_error,
        "sources": logs.SOURCES,
        "presets": list(logs.PRESETS),
        "templates": [(key, label) for key, (label, _, _) in logs.TEMPLATES.items()],
        "template_links": template_links,
        "width": logs.WIDTH,
        "height": logs.HEIGHT,
    }
    return render_page(
        request,
        "platformkit/logs/explorer.html",
        context,
        section=SECTION,
        project_ref=ref,
        partial="log-results",
        status=400 if form_error else 200,
    )
