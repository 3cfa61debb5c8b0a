"""Usage page: requests over the chosen period as an SVG chart, and the last 24 hours' total
with the part of it each service took."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
    # The 24-hour total counts every path; its breakdown by service needs the day's counts too
    # (one more call unless the chosen period is that day), so both figures share one window.
    calls = [lambda: services.api_counts(target.ref, interval), lambda: services.requests_count(target.ref)]
    if interval != services.DAY:
        calls.append(lambda: services.api_counts(target.ref, services.DAY))
    counted, total, *day = [upstream.from_result(result) for result in parallel(*calls)]
    day_counts = day[0] if day else counted
    rows, answered, day_rows = counted.value, total.value, day_counts.value
    now = datetime.now(UTC)
    day_total = None
    if answered is not None and not answered.error_message and day_rows is not None and not day_rows.error_message:
        day_total = services.DayTotal(services.count_of(answered), services.series_totals(day_rows.result))
    context.update(
        interval=interval,
        chart=services.chart(interval, rows.result, now) if rows is not None and not rows.error_message else None,
        problem=counted.problem,
        counts_error=rows.error_message if rows is not None else None,
        day_total=day_total,
        day_start=now - timedelta(days=1),
        now=now,
        total_problem=total.problem or day_counts.problem,
        total_error=(answered.error_message if answered is not None else None)
        or (day_rows.error_message if day_rows is not None else None),
    )
    return render_page(request, TEMPLATE, context, section=SECTION, project_ref=ref)
