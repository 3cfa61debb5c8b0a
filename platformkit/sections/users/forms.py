"""What the users list is asked for: a search, a page cursor and the chart's period."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from platformkit.sections.users.services import CHART_DAYS


class UsersQuery(forms.Form):
    q = forms.CharField(required=False, max_length=320)
    after = forms.CharField(required=False)  # "<created_at>|<id>" of the last user shown
    days = forms.TypedChoiceField(choices=[(str(d), str(d)) for d in CHART_DAYS], coerce=int, required=False)

    def clean_days(self) -> int:
        return int(self.cleaned_data.get("days") or CHART_DAYS[0])

    def clean_after(self) -> tuple[str, str] | None:
        text: str = self.cleaned_data["after"]
        if not text:
            return None
        created, _, user_id = text.rpartition("|")
        try:
            uuid.UUID(user_id)
        except ValueError:
            raise forms.ValidationError("That page link is not valid.") from None
        if not created:
            raise forms.ValidationError("That page link is not valid.")
        return created, user_id

    def first_error(self) -> str:
        return next(str(message) for errors in self.errors.values() for message in errors)

    def values(self) -> dict[str, Any]:
        return {"q": self.data.get("q", ""), "days": self.data.get("days", "")}
