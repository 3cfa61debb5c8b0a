"""Form fields every section's forms use for what the dashboard's templates post by hand."""

from __future__ import annotations

from typing import Any

from django import forms


class Flag(forms.Field):
    """``True`` when exactly ``value`` was posted (a ticked checkbox sends its ``value``, "on"
    when it has none; a confirmation step posts a hidden "1"); anything else, or nothing, is off."""

    def __init__(self, value: str = "on", **kwargs: Any) -> None:
        self.value = value
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> bool:
        return bool(value == self.value)


class Strings(forms.Field):
    """Every value posted under the field's name, in order (``getlist``: ticked checkboxes,
    repeated hidden inputs). Not required unless asked (an empty list is then refused)."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, required: bool = False, **kwargs: Any) -> None:
        super().__init__(required=required, **kwargs)

    def to_python(self, value: Any) -> list[str]:
        return [str(item) for item in value] if value else []
