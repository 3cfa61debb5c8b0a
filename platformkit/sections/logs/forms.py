"""The log explorer's query form: a GET form (everything the query needs is in the URL, so a
view of the logs can be shared). Valid, it makes a :class:`~.services.LogQuery`; invalid, the
page keeps what was given (:meth:`LogQueryForm.kept_query`) next to the first message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms

from platformkit.sections.logs.services import (
    PRESETS,
    SOURCES,
    TEMPLATES,
    LogQuery,
    default_sql,
    sql_source,
    with_source,
)

MAX_CUSTOM_RANGE = timedelta(days=7)


def _instant(value: str, label: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise forms.ValidationError(f"{label}: give a date and time, e.g. 2026-11-23T08:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class LogQueryForm(forms.Form):
    # Declared in the order they are judged: the first error is the one the page shows.
    source = forms.CharField(required=False, strip=False, empty_value="edge_logs")
    # The source the picker showed when the page was drawn: a different ``source`` means the
    # operator changed the picker, and the SQL's source filter follows it.
    shown_source = forms.CharField(required=False, strip=False)
    template = forms.CharField(required=False, strip=False)
    sql = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    range = forms.CharField(required=False, strip=False, empty_value="1h")
    start = forms.CharField(required=False, strip=False)  # only read for a custom range
    end = forms.CharField(required=False, strip=False)
    refresh = forms.CharField(required=False)  # the checkbox: "on"

    def clean_source(self) -> str:
        source: str = self.cleaned_data["source"]
        if source not in SOURCES:
            raise forms.ValidationError(f"Unknown source {source!r}")
        return source

    def clean_template(self) -> str:
        template: str = self.cleaned_data["template"]
        if template and template not in TEMPLATES:
            raise forms.ValidationError(f"Unknown template {template!r}")
        return template

    def clean_range(self) -> str:
        preset: str = self.cleaned_data["range"]
        if preset != "custom" and preset not in PRESETS:
            raise forms.ValidationError(f"Unknown range {preset!r}")
        return preset

    def clean_start(self) -> datetime | None:
        return _instant(self.cleaned_data["start"], "Start") if self.cleaned_data.get("range") == "custom" else None

    def clean_end(self) -> datetime | None:
        return _instant(self.cleaned_data["end"], "End") if self.cleaned_data.get("range") == "custom" else None

    def clean_refresh(self) -> bool:
        return bool(self.cleaned_data["refresh"] == "on")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None:
            if start >= end:
                raise forms.ValidationError("The start must be before the end.")
            if end - start > MAX_CUSTOM_RANGE:
                raise forms.ValidationError("A custom range may cover at most 7 days.")
        return cleaned

    @property
    def first_error(self) -> str:
        return next(str(message) for messages in self.errors.values() for message in messages)

    def query(self) -> LogQuery:
        """The query of a valid form: a template sets the source and SQL, the typed SQL wins;
        a changed source picker rewrites the typed SQL's ``source`` filter, else the SQL's own
        filter names the source."""
        cleaned = self.cleaned_data
        source, sql = cleaned["source"], ""
        if cleaned["template"]:
            _, source, sql = TEMPLATES[cleaned["template"]]
        typed = cleaned["sql"]
        if typed and cleaned["shown_source"] and cleaned["shown_source"] != source:
            typed = with_source(typed, source)
        elif typed:
            source = sql_source(typed) or source
        return LogQuery(
            source=source,
            sql=typed or sql or default_sql(source),
            preset=cleaned["range"],
            start=cleaned["start"],
            end=cleaned["end"],
            template=cleaned["template"],
            refresh=cleaned["refresh"],
        )

    def kept_query(self) -> LogQuery:
        """An invalid form's input, as far as it is valid (the SQL as typed), for the page."""
        cleaned = getattr(self, "cleaned_data", {})
        return LogQuery(
            source=cleaned.get("source", "edge_logs"),
            sql=str(self["sql"].value() or ""),
            preset=cleaned.get("range", "1h"),
            start=cleaned.get("start"),
            end=cleaned.get("end"),
            template=cleaned.get("template", ""),
            refresh=bool(cleaned.get("refresh", False)),
        )
