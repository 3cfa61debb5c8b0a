"""Small template helpers for platformkit's pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import template
from django.utils.dateparse import parse_datetime

register = template.Library()


@register.filter
def as_datetime(value: Any) -> datetime | Any:
    """The API's ISO 8601 strings as datetimes, so ``|date`` can format them."""
    if isinstance(value, str):
        return parse_datetime(value.replace("Z", "+00:00")) or value
    return value


@register.filter
def ago(value: Any, now: datetime | None = None) -> str:
    """A datetime as people say it: "just now", "5 minutes ago", "in 2 hours", "3 days ago";
    older than a month, the date itself (includes/when.html puts the exact time on hover)."""
    if not isinstance(value, datetime):
        return str(value or "")
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    future, seconds = seconds < 0, abs(seconds)
    if seconds < 45:
        return "just now"
    for size, unit in ((86400 * 30, ""), (86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            if not unit:
                return f"{moment:%-d %b %Y}"
            count = round(seconds / size) if unit != "day" else int(seconds // size)
            words = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {words}" if future else f"{words} ago"
    return "just now"  # pragma: no cover - the loop returns for anything past 45 s


@register.filter
def status_tone(status: str | None) -> str:
    """The badge colour for an upstream or operation status."""
    value = (status or "").upper()
    if value in {
        "ACTIVE_HEALTHY",
        "ACTIVE",  # an Edge Function's status
        "SUCCEEDED",
        "SUCCESS",
        "AVAILABLE",
        "MIGRATIONS_PASSED",
        "FUNCTIONS_DEPLOYED",
    }:
        return "ok"
    if value in {
        "COMING_UP",
        "RESTORING",
        "UPGRADING",
        "PAUSING",
        "RESTARTING",
        "RESIZING",
        "GOING_DOWN",
        "PENDING",
        "RUNNING",
        "CREATING_PROJECT",
        "RUNNING_MIGRATIONS",
    }:
        return "busy"
    if value in {"INACTIVE", "REMOVED", "UNKNOWN"}:
        return "idle"
    return "bad"


@register.filter
def humanize_status(status: str | None) -> str:
    return (status or "unknown").replace("_", " ").lower()


@register.filter
def backticks(text: str | None) -> str:
    """Lint text with its `identifiers` as <code>: every part escaped, nothing else marked up."""
    from django.utils.html import format_html, format_html_join

    parts = str(text or "").split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show the text as it is
        return format_html("{}", text or "")
    return format_html_join(
        "",
        "{}",
        (
            (format_html("<code>{}</code>", part) if index % 2 else format_html("{}", part),)
            for index, part in enumerate(parts)
        ),
    )


@register.filter
def epoch_ms(value: Any) -> datetime | Any:
    """Milliseconds since the epoch (the Functions API's times) as a UTC datetime."""

    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC)
    return value


@register.simple_tag(takes_context=True)
def may(context: template.Context, section: str, action: str = "", gate: str = "write") -> bool:
    """``{% may "projects" "projects.pause" as can_pause %}``: whether the viewer may take that
    action on the page's project (``ref``), so a page offers only what its gate allows. ``"read"``
    as a third argument for an action its view gates without write access (advisors' Run now)."""
    access, ref = context.get("access"), context.get("ref")
    write = gate != "read"
    return bool(access is not None and ref and access.offers(str(ref), section, action or None, write=write))


@register.simple_tag
def idempotency_field() -> str:
    """The hidden idempotency key every mutating form carries (``core.idempotency``)."""
    from platformkit.core.idempotency import field_html

    return field_html()


@register.simple_tag(takes_context=True)
def target_field(context: template.Context) -> str:
    """The hidden ``branch`` field a GET form needs on a branch (a GET form's submission drops
    its action's query string), so filtering a page does not land on production."""
    from django.utils.html import format_html

    target = context.get("target")
    if target is None or target.is_production:
        return ""
    return format_html('<input type="hidden" name="branch" value="{}">', target.ref)
