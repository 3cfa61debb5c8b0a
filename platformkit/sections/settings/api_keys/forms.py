"""Forms of Settings → API keys: deleting a key needs the box ticked."""

from __future__ import annotations

from django import forms

CONFIRM_DELETE = "Tick the box to confirm deleting the key: apps using it stop working."


class ApiKeyDeleteForm(forms.Form):
    confirm = forms.CharField(required=False)  # the checkbox: "yes"
    compromised = forms.CharField(required=False)  # "yes": the key leaked (the API records it)

    def clean_confirm(self) -> bool:
        if self.cleaned_data["confirm"] != "yes":
            raise forms.ValidationError(CONFIRM_DELETE)
        return True

    def clean_compromised(self) -> bool:
        return bool(self.cleaned_data["compromised"] == "yes")
