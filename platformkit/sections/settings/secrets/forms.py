"""Forms of Settings → Secrets: the bulk add (a ``.env`` file or JSON, read by
:func:`parse_secrets`) and the delete of ticked names."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django import forms

from platformkit.core.fields import Strings

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_secrets(text: str) -> dict[str, str]:
    """Names to values, in order; refuses what the API would (``SUPABASE_`` names, bad names)."""
    text = text.strip()
    if not text:
        raise forms.ValidationError("Paste at least one secret: NAME=value lines, or JSON.")
    pairs = _json(text) if text[0] in "[{" else _dotenv(text)
    for name in pairs:
        if not NAME.match(name) or len(name) > 256:
            raise forms.ValidationError(
                f"{name!r} is not a valid secret name (letters, digits and _; not starting with a digit)."
            )
        if name.startswith("SUPABASE_"):
            raise forms.ValidationError(
                f"{name}: names starting with SUPABASE_ are reserved by Supabase and refused by the API."
            )
    return pairs


def _json(text: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise forms.ValidationError(f"That is not valid JSON: {exc}.") from None
    items: Iterable[tuple[Any, Any]] = (
        data.items()
        if isinstance(data, dict)
        else [(i.get("name"), i.get("value")) for i in data if isinstance(i, dict)]
        if isinstance(data, list)
        else []
    )
    pairs = {str(name): value for name, value in items}
    if not pairs or not all(isinstance(value, str) for value in pairs.values()):
        raise forms.ValidationError(
            'JSON must be {"NAME": "value", ...} or [{"name": ..., "value": ...}] with string values.'
        )
    return pairs


def _dotenv(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        if not sep:
            raise forms.ValidationError(f"Line {number} has no '=': write NAME=value.")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        pairs[name.strip()] = value
    return pairs


class SecretsAddForm(forms.Form):
    secrets = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    overwrite = forms.CharField(required=False)  # "yes": replace the secrets that exist already

    def clean_secrets(self) -> dict[str, str]:
        return parse_secrets(self.cleaned_data["secrets"])

    def clean_overwrite(self) -> bool:
        return bool(self.cleaned_data["overwrite"] == "yes")

    @property
    def text(self) -> str:
        """What was pasted, shown again in the textarea."""
        return str(self["secrets"].value() or "")


class SecretsDeleteForm(forms.Form):
    name = Strings(required=True, error_messages={"required": "Tick the secrets to delete."})
