"""Forms of Settings → Compute and add-ons, bound to the project's :class:`~.services.Options`
(what it runs on and what it could): a size must be offered and not the current one, a change
must be confirmed by naming the size again, PITR must be offered (or be on, to turn it off)."""

from __future__ import annotations

from typing import Any

from django import forms

from platformkit.api.types import AddonVariant
from platformkit.sections.settings.compute.services import ComputeError, Options


def first_error(form: forms.Form) -> str:
    """The form's first message (the page shows one, next to the form that failed)."""
    return next(str(message) for messages in form.errors.values() for message in messages)


class _OptionsForm(forms.Form):
    def __init__(self, *args: Any, options: Options, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = options

    def offered(self, variant_id: str) -> AddonVariant:
        try:
            return self.options.variant(variant_id)
        except ComputeError as exc:
            raise forms.ValidationError(str(exc)) from None


class ComputeReviewForm(_OptionsForm):
    """The size chosen on the page, before its confirmation."""

    variant = forms.CharField(required=False, strip=False)
    compute_only = False  # the review accepts any offered variant, as it always has

    def clean_variant(self) -> AddonVariant:
        variant_id = self.cleaned_data["variant"]
        chosen = self.offered(variant_id)
        if self.compute_only and not variant_id.startswith("ci_"):
            raise forms.ValidationError("Choose a compute size.")
        if self.options.compute is not None and self.options.compute.id == variant_id:
            raise forms.ValidationError(f"The project already runs on {chosen.name}.")
        return chosen


class ComputeChangeForm(ComputeReviewForm):
    """The confirmed change: ``confirm`` must repeat the size's id (the review page's button)."""

    confirm = forms.CharField(required=False, strip=False)
    compute_only = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = cleaned.get("variant")
        if chosen is not None and cleaned.get("confirm") != chosen.id:
            self.add_error("confirm", f"Confirm the change to {chosen.name} ({chosen.id}).")
        return cleaned


class PitrForm(_OptionsForm):
    """``pitr_7`` / ``pitr_14`` / ``pitr_28`` (offered to the project), or ``off``."""

    variant = forms.CharField(required=False, strip=False)

    def clean_variant(self) -> str:
        variant_id: str = self.cleaned_data["variant"]
        if variant_id == "off":
            if self.options.pitr is None:
                raise forms.ValidationError("PITR is already off.")
        else:
            self.offered(variant_id)
        return variant_id
