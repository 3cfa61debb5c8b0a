"""Forms of the SQL editor: a run (the statement, its JSON parameters, read-only or not, the
confirmation of a risky statement, a download format) and saving a snippet."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from platformkit.core.fields import Flag

SQL_MAX_PREFILL = 20000  # characters of ``?sql=`` taken into the editor


class RunForm(forms.Form):
    sql = forms.CharField(required=False, strip=False)
    parameters = forms.CharField(required=False, strip=False)
    read_only = Flag("on")
    confirmed = Flag("1")
    enable_rls = Flag("1")
    format = forms.CharField(required=False, strip=False)  # "csv" or "json": a download of a read-only run

    def clean_sql(self) -> str:
        sql: str = self.cleaned_data["sql"]
        if not sql.strip():
            raise forms.ValidationError("Write a statement to run.")
        return sql

    def clean_parameters(self) -> list[Any] | None:
        """A JSON array bound to $1, $2...; nothing typed: no parameters."""
        raw: str = self.cleaned_data["parameters"]
        if not raw.strip():
            return None
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(f"Parameters: {exc}") from None
        if not isinstance(value, list):
            raise forms.ValidationError('Parameters: Parameters must be a JSON array, e.g. [1, "text"]')
        return value

    def clean_format(self) -> str | None:
        wanted: str = self.cleaned_data["format"]
        return wanted if wanted in ("csv", "json") else None

    def typed(self) -> dict[str, str]:
        """``sql`` and ``parameters`` as submitted, for the editor to show them again."""
        return {key: str(self[key].value() or "") for key in ("sql", "parameters")}

    def first_error(self) -> str:
        return next(str(message) for errors in self.errors.values() for message in errors)


class SnippetForm(forms.Form):
    name = forms.CharField(required=False)  # stripped
    sql = forms.CharField(required=False, strip=False)

    def clean_name(self) -> str:
        return str(self.cleaned_data["name"])[:200]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("name") or not str(cleaned.get("sql", "")).strip():
            raise forms.ValidationError("A snippet needs a name and some SQL.")
        return cleaned

    def typed_sql(self) -> str:
        return str(self["sql"].value() or "")
