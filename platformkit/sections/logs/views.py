"""Logs: the explorer. Everything the query needs is in the URL (a GET form), so a view of the
logs can be shared; results refresh themselves only when asked to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from platformkit.access import project_view
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.logs import services as logs
from platformkit.sections.logs.forms import LogQueryForm

SECTION = "logs"
INSTANT = "%Y-%m-%dT%H:%M:%S"


def _event_link(detail_url: str, branch: dict[str, str], row: dict[str, Any]) -> str | None:
    """Where a row's whole event is read, when the row carries its id and time."""
    moment = logs.row_moment(row)
    if not logs.EVENT_ID.fullmatch(str(row.get("id", ""))) or moment is None:
        return None
    return detail_url + "?" + urlencode({**branch, "id": row["id"], "at": moment.strftime(INSTANT)})


def _zoom_note(outcome: logs.Outcome | None, bars: list[tuple[logs.Bar, str | None]]) -> str:
    """What clicking the histogram does here: zoom in, open a minute, or nothing (the floor)."""
    if outcome is None or not logs.finest(outcome.bars):
        return "click a bar with events to zoom into its range"
    if any(link for _, link in bars):
        return "one bar per minute · click a bar with events to see its minute"
    return "one bar per minute: the finest the histogram shows"


@require_GET
@project_view(SECTION)
def event(request: HttpRequest, ref: str) -> HttpResponse:
    """One event with every field (an HTMX fragment for a row's detail, or a page)."""
    target = request_target(request)
    event_id, at = request.GET.get("id", ""), request.GET.get("at", "")
    try:
        moment = datetime.strptime(at, INSTANT).replace(tzinfo=UTC)
    except ValueError:
        moment = None
    # A year at the calendar's edge would overflow the event's search window (found in review: 500).
    if not logs.EVENT_ID.fullmatch(event_id) or moment is None or not 1970 <= moment.year <= 9000:
        return HttpResponse("Name an event by its id and time.", status=400, content_type="text/plain; charset=utf-8")
    found = logs.event(target.ref, event_id, moment)
    return render_page(
        request,
        "platformkit/logs/event.html",
        {"ref": ref, "target": target, "found": found, "event_id": event_id},
        section=SECTION,
        project_ref=ref,
        partial="log-event",
        status=404 if found.fields is None and found.error is None else 200,
    )


@require_GET
@project_view(SECTION)
def sql_field(request: HttpRequest, ref: str) -> HttpResponse:
    """The SQL box after the source picker changed (an HTMX fragment): the new source's query,
    or the operator's own query with its source filter moved, and a word saying which."""
    target = request_target(request)
    source, previous = request.GET.get("source", ""), request.GET.get("shown_source", "")
    if source not in logs.SOURCES:
        return HttpResponse("Choose one of the sources offered.", status=400, content_type="text/plain; charset=utf-8")
    previous = previous if previous in logs.SOURCES else source
    sql, note = logs.sql_for_source(previous, source, request.GET.get("sql", ""))
    return render_page(
        request,
        "platformkit/logs/explorer.html",
        {"ref": ref, "target": target, "query": logs.LogQuery(source=source, sql=sql), "sql_note": note},
        section=SECTION,
        project_ref=ref,
        partial="log-sql",
    )


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
    branch = {"branch": target.ref} if not target.is_production else {}
    bars: list[tuple[logs.Bar, str | None]] = []
    if outcome is not None:
        for bar in outcome.bars:
            # Clicking a bar zooms in: the same source and SQL over the bar's range. A bar with no
            # events, or one already the whole window (a minute: the finest bucket), leads nowhere.
            if not bar.count or not logs.zoomable(bar, outcome.bars):
                bars.append((bar, None))
                continue
            zoom = {
                **branch,
                "source": query.source,
                "shown_source": query.source,
                "sql": query.sql,
                "range": "custom",
                "start": bar.start.strftime(INSTANT),
                "end": bar.end.strftime(INSTANT),
            }
            bars.append((bar, "?" + urlencode(zoom)))
    detail_url = url(request, "logs-event", ref)
    context = {
        "ref": ref,
        "target": target,
        "query": query,
        "outcome": outcome,
        "bars": bars,
        "rows": [
            (cells, detail, _event_link(detail_url, branch, row))
            for (cells, detail), row in zip(outcome.pretty_rows, outcome.rows, strict=True)
        ]
        if outcome is not None
        else [],
        "form_error": form_error,
        "sources": logs.SOURCES,
        "presets": list(logs.PRESETS),
        "templates": [(key, label) for key, (label, _, _) in logs.TEMPLATES.items()],
        "template_links": template_links,
        "sql_url": url(request, "logs-sql", ref),
        "zoom_note": _zoom_note(outcome, bars),
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
