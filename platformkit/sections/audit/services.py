"""Reading the audit trail: filters, keyset pages and the CSV export. Nothing here writes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from platformkit.models import AuditEvent

PAGE_SIZE = 50
CSV_COLUMNS = ("time", "actor", "action", "project", "outcome", "detail")


@dataclass(frozen=True)
class Filters:
    actor: str = ""  # part of the actor's name, any case
    action: str = ""  # an action, or a family of them: "connect" matches "connect.reveal"
    project: str = ""  # a project ref (the cross-project page only)
    outcome: str = ""  # "success", "failure" or "" for both
    start: datetime | None = None
    end: datetime | None = None


def scope(visible_refs: frozenset[str] | None, project_ref: str | None = None) -> QuerySet[AuditEvent]:
    """The events a viewer may read: one project's, or every visible project's (events about no
    project, such as a host's embed sessions, only to those who see every project)."""
    events = AuditEvent.objects.all()
    if project_ref is not None:
        return events.filter(project_ref=project_ref)
    if visible_refs is not None:
        return events.filter(project_ref__in=visible_refs)
    return events


def filtered(events: QuerySet[AuditEvent], filters: Filters) -> QuerySet[AuditEvent]:
    if filters.actor:
        events = events.filter(actor_label__icontains=filters.actor)
    if filters.action:
        events = events.filter(Q(action=filters.action) | Q(action__startswith=filters.action + "."))
    if filters.project:
        events = events.filter(project_ref=filters.project)
    if filters.outcome:
        events = events.filter(outcome=filters.outcome)
    if filters.start is not None:
        events = events.filter(created_at__gte=filters.start)
    if filters.end is not None:
        events = events.filter(created_at__lt=filters.end)
    return events.order_by("-created_at", "-pk")


@dataclass
class Page:
    events: list[AuditEvent]
    next_cursor: tuple[datetime, int] | None  # (created_at, pk) of the last event shown


def page(events: QuerySet[AuditEvent], after: tuple[datetime, int] | None = None, size: int = PAGE_SIZE) -> Page:
    """One page, newest first, after the cursor (keyset: no OFFSET however deep)."""
    if after is not None:
        created, pk = after
        events = events.filter(Q(created_at__lt=created) | Q(created_at=created, pk__lt=pk))
    rows = list(events[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    return Page(rows, (rows[-1].created_at, rows[-1].pk) if more and rows else None)


def actions(events: QuerySet[AuditEvent]) -> list[str]:
    """The actions recorded in this scope, for the filter's choices."""
    return sorted(set(events.order_by().values_list("action", flat=True).distinct()))


def projects(events: QuerySet[AuditEvent]) -> list[str]:
    return sorted(ref for ref in set(events.order_by().values_list("project_ref", flat=True).distinct()) if ref)


def readable(detail: dict[str, Any] | None) -> list[tuple[str, str]]:
    """An event's detail as (label, text) pairs a person reads: lists joined, mappings as
    ``key: value``, yes/no for booleans; empty values (None, "", [], {}) left out."""
    return [(key.replace("_", " "), _text(value)) for key, value in (detail or {}).items() if not _empty(value)]


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, tuple, dict)) and not value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{key.replace('_', ' ')}: {_text(item)}" for key, item in value.items() if not _empty(item))
    if isinstance(value, (list, tuple)):
        parts = [_text(item) for item in value if not _empty(item)]
        return "; ".join(parts) if any(isinstance(item, dict) for item in value) else ", ".join(parts)
    return str(value)


def _csv_safe(text: str) -> str:
    # A cell a spreadsheet would run as a formula is kept as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The selected events as CSV, a chunk of rows at a time (the response streams)."""
    out = io.StringIO()
    writer = csv.writer(out)

    def flush() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for count, event in enumerate(events.iterator(chunk_size=500), start=1):
        writer.writerow(
            [
                event.created_at.isoformat(),
                _csv_safe(event.actor_label),
                _csv_safe(event.action),
                event.project_ref,
                event.outcome,
                _csv_safe(json.dumps(event.detail, sort_keys=True, default=str)),
            ]
        )
        if count % 500 == 0:
            yield flush()
    yield flush()
