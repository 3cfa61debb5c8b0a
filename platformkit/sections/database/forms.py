"""Forms of the Database section: the row editor (its fields generated from the table's column
types), deleting a row, and what a table view is asked to show (sort, filters, page)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.http import QueryDict

from platformkit.core.fields import Flag
from platformkit.sections.database.catalog import Column, Table
from platformkit.sections.database.statements import OPERATORS, VALUELESS, Filter, Order, order_keys

MAX_FILTERS = 5
PRODUCTION_REFUSAL = "Production is read-only here: tick “Write to production” to change its rows."
NO_KEY_REFUSAL = "This table has no primary key: its rows cannot be told apart, so they are read-only here."
SPECIAL_NUMBERS = frozenset({"nan", "infinity", "-infinity", "+infinity"})
SPECIAL_DATES = frozenset({"infinity", "-infinity"})


def _widget(column: Column) -> forms.Widget:
    attrs: dict[str, str] = {"data-kind": column.kind}
    if column.kind == "integer":
        return forms.NumberInput(attrs={**attrs, "step": "1"})
    if column.kind == "decimal":
        return forms.TextInput(attrs={**attrs, "inputmode": "decimal"})
    if column.kind in ("boolean", "enum"):
        return forms.Select(attrs=attrs)
    if column.kind == "json":
        return forms.Textarea(attrs={**attrs, "rows": "4", "class": "pk-code", "spellcheck": "false"})
    if column.kind == "date":
        return forms.DateInput(attrs={**attrs, "type": "date"})
    if column.kind == "timestamp":
        return forms.TextInput(attrs={**attrs, "placeholder": "2026-01-31 13:45:00+00"})
    if column.kind == "uuid":
        return forms.TextInput(
            attrs={**attrs, "placeholder": "00000000-0000-0000-0000-000000000000", "class": "pk-code"}
        )
    if column.kind == "array":
        return forms.TextInput(attrs={**attrs, "placeholder": "{one,two}", "class": "pk-code"})
    return forms.TextInput(attrs=attrs)


def check_value(column: Column, text: str) -> str:
    """``text`` as the editor sends it for ``column``, or a ValidationError saying what is
    wrong. Types checked here fail early with a plain message; the rest (times, arrays,
    intervals...) PostgreSQL checks, and its message is shown."""
    stripped = text.strip()
    if column.kind == "integer":
        try:
            return str(int(stripped))
        except ValueError:
            raise forms.ValidationError("Enter a whole number.") from None
    if column.kind == "decimal":
        if stripped.lower() in SPECIAL_NUMBERS:
            return stripped
        try:
            Decimal(stripped)
        except InvalidOperation:
            raise forms.ValidationError("Enter a number.") from None
        return stripped
    if column.kind == "boolean":
        if stripped not in ("true", "false"):
            raise forms.ValidationError("Choose true or false.")
        return stripped
    if column.kind == "enum":
        if text not in column.labels:
            raise forms.ValidationError(f"Choose one of {', '.join(column.labels)}.")
        return text
    if column.kind == "json":
        try:
            json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from None
        return text
    if column.kind == "uuid":
        try:
            return str(uuid.UUID(stripped))
        except ValueError:
            raise forms.ValidationError("Enter a UUID, e.g. 123e4567-e89b-12d3-a456-426614174000.") from None
    if column.kind == "date":
        if stripped.lower() in SPECIAL_DATES:
            return stripped
        try:
            return date.fromisoformat(stripped).isoformat()
        except ValueError:
            raise forms.ValidationError("Enter a date as YYYY-MM-DD.") from None
    return text


class RowForm(forms.Form):
    """Insert (no ``key``) or update one row. For each editable column ``c<i>`` holds the value
    as text, ``n<i>`` sets it NULL, and, when inserting, ``d<i>`` leaves it to its default."""

    write_production = Flag("1")

    def __init__(self, table: Table, *, production: bool, inserting: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.table, self.production, self.inserting = table, production, inserting
        self.editable: list[tuple[int, Column]] = []
        for index, column in enumerate(table.columns):
            if column.read_only:
                continue
            self.editable.append((index, column))
            field = forms.CharField(required=False, strip=False, label=column.name, widget=_widget(column))
            if column.kind == "boolean":
                field.widget.choices = [("true", "true"), ("false", "false")]
            elif column.kind == "enum":
                field.widget.choices = [(label, label) for label in column.labels]
            self.fields[f"c{index}"] = field
            if column.nullable:
                self.fields[f"n{index}"] = Flag("1")
            if inserting and (column.default is not None or column.nullable):
                self.fields[f"d{index}"] = Flag("1")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.table.writable:
            raise forms.ValidationError(NO_KEY_REFUSAL)
        if self.production and not cleaned.get("write_production"):
            raise forms.ValidationError(PRODUCTION_REFUSAL)
        values: dict[str, str | None] = {}
        for index, column in self.editable:
            if self.inserting and cleaned.get(f"d{index}"):
                continue  # its default
            if cleaned.get(f"n{index}"):
                values[column.name] = None
                continue
            text = cleaned.get(f"c{index}") or ""
            if text == "" and column.kind not in ("text", "other", "json"):
                self.add_error(f"c{index}", "Enter a value" + (", or tick NULL." if column.nullable else "."))
                continue
            try:
                values[column.name] = check_value(column, text)
            except forms.ValidationError as error:
                self.add_error(f"c{index}", error)
        cleaned["values"] = values
        return cleaned

    def rows(self) -> list[dict[str, Any]]:
        """What the template lays out: each column with its field, NULL and default boxes."""
        laid_out = []
        for index, column in enumerate(self.table.columns):
            laid_out.append(
                {
                    "column": column,
                    "field": self[f"c{index}"] if f"c{index}" in self.fields else None,
                    "null": self[f"n{index}"] if f"n{index}" in self.fields else None,
                    "default": self[f"d{index}"] if f"d{index}" in self.fields else None,
                }
            )
        return laid_out

    def first_error(self) -> str | None:
        for errors in self.errors.values():
            return str(errors[0])
        return None


def initial_for(table: Table, row: dict[str, Any] | None) -> dict[str, Any]:
    """The editor's initial values: the row's (as text), or for a new row defaults ticked."""
    initial: dict[str, Any] = {}
    for index, column in enumerate(table.columns):
        if row is None:
            initial[f"d{index}"] = column.default is not None or column.nullable
        elif row.get(column.name) is None:
            initial[f"n{index}"] = True
        else:
            initial[f"c{index}"] = row[column.name]
    return initial


class DeleteForm(forms.Form):
    confirmed = Flag("1")
    write_production = Flag("1")

    def __init__(self, table: Table, *, production: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.table, self.production = table, production

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.table.writable:
            raise forms.ValidationError(NO_KEY_REFUSAL)
        if self.production and not cleaned.get("write_production"):
            raise forms.ValidationError(PRODUCTION_REFUSAL)
        return cleaned


# Keys and cursors travel in URLs and forms as base64url JSON lists of text values.


def encode_values(values: list[str | None]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_values(text: str, length: int) -> list[str | None] | None:
    """The list :func:`encode_values` made, if ``text`` is one of ``length`` text-or-null items."""
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(values, list) or len(values) != length:
        return None
    if not all(value is None or isinstance(value, str) for value in values):
        return None
    return values


def parse_key(table: Table, text: str) -> dict[str, str] | None:
    values = decode_values(text, len(table.primary_key)) if table.primary_key else None
    if values is None or any(value is None for value in values):
        return None
    return {name: str(value) for name, value in zip(table.primary_key, values, strict=True)}


class Browse:
    """What a table page is asked for in its query string, checked against the catalog: sort
    column and direction, up to five filters (``fc``/``fo``/``fv``), and a page cursor
    (``after`` or ``before``). ``error`` says what was wrong (the page answers 400)."""

    def __init__(self, table: Table, query: QueryDict) -> None:
        self.error: str | None = None
        sort = query.get("sort") or None
        column = table.column(sort) if sort else None
        if sort and (column is None or not column.sortable):
            self.error = f"Cannot sort by {sort!r}: no such sortable column."
            sort = None
        self.order = Order(sort, query.get("dir") == "desc")
        self.filters: list[Filter] = []
        for name, operator, value in list(
            zip(query.getlist("fc"), query.getlist("fo"), query.getlist("fv"), strict=False)
        )[:MAX_FILTERS]:
            if not name:
                continue
            if table.column(name) is None:
                self.error = f"No column {name!r} in {table.schema}.{table.name}."
            elif operator not in OPERATORS:
                self.error = f"Unknown operator {operator!r}."
            else:
                self.filters.append(Filter(name, operator, "" if operator in VALUELESS else value))
        self.cursor: list[str | None] | None = None
        self.forward = True
        for param, forward in (("after", True), ("before", False)):
            if query.get(param):
                self.cursor = decode_values(query.get(param, ""), len(order_keys(table, self.order)))
                self.forward = forward
                if self.cursor is None:
                    self.error = "That page link is not valid for this table (its sort or columns changed?)."
