"""Forms of the advisors section: run, dismiss (with a reason) and restore a finding.

Every form carries the report's ``tab`` and ``branch`` as posted, to come back to the same
view of the report afterwards. The templates render their own ``<input>``s."""

from __future__ import annotations

from django import forms

from platformkit.sections.advisors.services import REASON_REQUIRED


class BackForm(forms.Form):
    """Run the advisors; the report's ``tab`` and ``branch`` to come back to."""

    tab = forms.CharField(required=False, strip=False)
    branch = forms.CharField(required=False, strip=False)

    def back_query(self) -> dict[str, str]:
        """The query string to come back with: the tab and branch that were posted (non-empty)."""
        return {key: str(self[key].data) for key in ("tab", "branch") if self[key].data}


class RestoreForm(BackForm):
    """Restore the dismissed finding ``cache_key``."""

    cache_key = forms.CharField(required=False, strip=False)


class DismissForm(RestoreForm):
    """Dismiss ``cache_key`` for a ``reason`` (required: it is kept in the audit trail)."""

    reason = forms.CharField(required=False, strip=True)

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"]
        if not reason:
            raise forms.ValidationError(REASON_REQUIRED)
        return reason

    @property
    def error(self) -> str:
        return str(self.errors["reason"][0])
