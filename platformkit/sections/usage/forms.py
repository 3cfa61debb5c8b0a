"""What the Usage page is asked for: the period."""

from __future__ import annotations

from django import forms

from platformkit.sections.usage.services import DEFAULT_PERIOD, PERIODS


class UsageQuery(forms.Form):
    interval = forms.ChoiceField(choices=[(key, value[0]) for key, value in PERIODS.items()], required=False)

    def clean_interval(self) -> str:
        return str(self.cleaned_data.get("interval") or DEFAULT_PERIOD)
