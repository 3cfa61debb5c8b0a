"""Forms of Settings → Transfer: starting the transfer needs the OAuth app configured (said
first: the operator cannot fix it on the page) and the operator's confirmation that custom
configuration was removed."""

from __future__ import annotations

from typing import Any

from django import forms

from platformkit.sections.settings.claim.services import CONFIRM_CLEANUP


class TransferForm(forms.Form):
    cleaned_up = forms.CharField(required=False)  # the checkbox: "yes"

    def __init__(self, *args: Any, not_configured: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.not_configured = not_configured  # services.configured(): why a transfer cannot start

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.not_configured:
            raise forms.ValidationError(self.not_configured)
        if cleaned.get("cleaned_up") != "yes":
            raise forms.ValidationError(CONFIRM_CLEANUP)
        return {**cleaned, "cleaned_up": True}
