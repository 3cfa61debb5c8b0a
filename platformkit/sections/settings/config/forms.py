"""Forms of Settings → Configuration. The fields of a service's form are generated from what
the API returns (:mod:`.fields`); :class:`ConfigChangeForm` hands what was posted to
:func:`.fields.parse`, which types and checks every field and sets each one's error on it.
:class:`ConfigApplyForm` reads back the sealed, reviewed change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from platformkit.sections.settings.config import fields as config_fields

NEEDS_FIXING = "Some values need fixing; nothing was saved."


class ConfigChangeForm(forms.Form):
    """The service's generated fields, bound to the POST. Valid: ``cleaned_data["body"]`` (the
    PATCH body of what changed) and ``["changes"]`` (the diff, maybe empty). Invalid: the errors
    are on the generated fields (``Field.error``, what was typed kept in ``Field.given``)."""

    def __init__(self, data: QueryDict, *, service: str, fields: list[config_fields.Field]) -> None:
        super().__init__(data)
        self.posted, self.service, self.config_fields = data, service, fields

    def clean(self) -> dict[str, Any]:
        body, changes = config_fields.parse(self.service, self.config_fields, self.posted)
        if any(f.error for f in self.config_fields):
            raise forms.ValidationError(NEEDS_FIXING)
        return {"body": body, "changes": changes}


class ConfigApplyForm(forms.Form):
    """The reviewed change, sealed for this project, service and actor, and not too old."""

    change = forms.CharField(required=False, strip=False)

    def __init__(self, *args: Any, ref: str, service: str, actor: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ref, self.service, self.actor = ref, service, actor

    def clean_change(self) -> dict[str, Any]:
        try:
            return config_fields.unseal(
                self.cleaned_data["change"], ref=self.ref, service=self.service, actor=self.actor
            )
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
