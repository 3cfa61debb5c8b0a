"""Forms of the Connect page: the schemas the types are generated for; the reveal's confirmation."""

from __future__ import annotations

import re

from django import forms

from platformkit.core.fields import Flag

DEFAULT_SCHEMAS = "public"
_SCHEMAS = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(,[A-Za-z_][A-Za-z0-9_$]*)*$")


class TypesQuery(forms.Form):
    schemas = forms.CharField(required=False, max_length=500)

    def clean_schemas(self) -> str:
        text = "".join(self.cleaned_data["schemas"].split()) or DEFAULT_SCHEMAS
        if not _SCHEMAS.match(text):
            raise forms.ValidationError("Schemas are names separated by commas, e.g. public,auth.")
        return text

    def first_error(self) -> str:
        return next(str(message) for errors in self.errors.values() for message in errors)


class RevealForm(forms.Form):
    """The box "show the password" ticked (``confirm=yes``)."""

    confirm = Flag("yes")

    def clean_confirm(self) -> bool:
        if not self.cleaned_data["confirm"]:
            raise forms.ValidationError("Tick the box to show the password.")
        return True
