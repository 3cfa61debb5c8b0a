"""What the audit trail is asked for: its filters and a page cursor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms

from platformkit.models import AuditEvent
from platformkit.sections.audit.services import Filters

TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]


class UtcDateTimeField(forms.DateTimeField):
    """``datetime-local`` input read as UTC (the page says so), whatever the site's time zone."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=TIME_FORMATS, required=False, **kwargs)

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        for pattern in TIME_FORMATS:
            try:
                return datetime.strptime(str(value).strip(), pattern).replace(tzinfo=UTC)
            except ValueError:
                continue
        raise forms.ValidationError("Times look like 2026-01-31T14:30 (UTC).")


class AuditQuery(forms.Form):
    actor = forms.CharField(required=False, max_length=255)
    action = forms.CharField(required=False, max_length=64)
    project = forms.RegexField(
        required=False,
        regex=r"^[a-z0-9-]{1,64}$",
        error_messages={"invalid": "A project ref is lower-case letters and digits."},
    )
    outcome = forms.ChoiceField(required=False, choices=[("", "any"), *AuditEvent.Outcome.choices])
    start = UtcDateTimeField()
    end = UtcDateTimeField()
    after = forms.CharField(required=False)  # "<created_at iso>|<pk>" of the last event shown

    def clean_after(self) -> tuple[datetime, int] | None:
        text: str = self.cleaned_data["after"]
        if not text:
            return None
        created, _, pk = text.rpartition("|")
        try:
            moment = datetime.fromisoformat(created)
            number = int(pk)
        except ValueError:
            raise forms.ValidationError("That page link is not valid.") from None
        if moment.tzinfo is None:
            raise forms.ValidationError("That page link is not valid.")
        return moment, number

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start >= end:
            raise forms.ValidationError("The start must be before the end.")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            actor=data["actor"].strip(),
            action=data["action"].strip(),
            project=data.get("project") or "",
            outcome=data["outcome"],
            start=data["start"],
            end=data["end"],
        )

    def first_error(self) -> str:
        return next(str(message) for errors in self.errors.values() for message in errors)

    def values(self) -> dict[str, str]:
        return {
            name: str(self.data.get(name, "")) for name in ("actor", "action", "project", "outcome", "start", "end")
        }
