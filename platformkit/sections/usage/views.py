"""Usage page: requests over the chosen period as an SVG chart, and the last 24 hours' total."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from platformkit.access import project_view
from platformkit.core import upstream
from platformkit.core.client import parallel
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.usage import services
from platformkit.sections.usage.forms import UsageQuery

SECTION = "usage"
TEMPLATE = "platformkit/usage/index.html"


@require_GET
@project_view(SECTION)
def index(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    form = UsageQuery(request.GET)
    base = url(request, "usage", ref)
    glue = "&" if target.query else "?"
    context: dict[str, Any] = {
        "ref": ref,
        "periods": [
            (key, label, f"{base}{target.query}{glue}interval={key}") for key, (label, _, _) in services.PERIODS.items()
        ],
    }
    if not form.is_valid():
        context["input_error"] = "Choose one of the periods offered."
        return render_page(request, TEMPLATE, context, section=SECTION, project_ref=ref, status=400)
    interval = form.cleaned_data["interval"]
    counted, total = parallel(
        lambda: services.api_counts(target.ref, interval), lambda: services.requests_count(target.ref)
    )
    counts, day_total = upstream.from_result(counted), upstream.from_result(total)
    rows, answered = counts.value, day_total.value
    context.update(
        interval=interval,
        chart=services.chart(interval, rows.result) if rows is not None and not rows.error_message else None,
        problem=counts.problem,
        counts_error=rows.error_message if rows is not None else None,
        day_total=services.count_of(answered) if answered is not None and not answered.error_message else None,
        total_problem=day_total.problem,
        total_error=answered.error_message if answered is not None else None,
    )
    return render_page(request, TEMPLATE, context, section=SECTION, project_ref=ref)
