"""Forms of the functions section: a deploy (slug, entrypoint, the chosen files with their
folder-relative paths), a function's settings, delete with the slug typed, and a test
invocation (method, headers, body)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from platformkit.core.fields import Flag, Strings
from platformkit.sections.functions import services as functions

SLUG = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
METHODS = ("POST", "GET", "PUT", "PATCH", "DELETE", "OPTIONS")
FORBIDDEN_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


class _FilesInput(forms.FileInput):
    allow_multiple_selected = True


class _Files(forms.Field):
    """Every file sent under the field's name, as uploaded (an empty file is a file too)."""

    widget = _FilesInput

    def __init__(self) -> None:
        super().__init__(required=False)

    def clean(self, value: Any) -> list[UploadedFile[bytes]]:
        return list(value or [])


class _DefaultInput(forms.TextInput):
    """What was sent, or ``default`` when the field was not sent at all."""

    def __init__(self, default: str) -> None:
        super().__init__()
        self.default = default

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name, self.default)


class _Form(forms.Form):
    def first_error(self) -> str:
        """The first of the form's errors (field errors in field order, then the rest)."""
        return next(str(message) for errors in self.errors.values() for message in errors)


class DeployForm(_Form):
    slug = forms.CharField(required=False)
    entrypoint_path = forms.CharField(required=False)
    import_map_path = forms.CharField(required=False)
    static_patterns = forms.CharField(required=False)
    verify_jwt = Flag()
    file = _Files()
    # The folder-relative paths the browser knows (multipart keeps only the files' names).
    path = Strings()

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if not SLUG.match(slug):
            raise forms.ValidationError("Slug: start with a letter; letters, digits, '-' and '_' only.")
        return slug

    def clean_entrypoint_path(self) -> str:
        entrypoint: str = self.cleaned_data["entrypoint_path"]
        if not entrypoint:
            raise forms.ValidationError("Choose the entrypoint (e.g. index.ts).")
        return entrypoint

    def clean_import_map_path(self) -> str | None:
        return self.cleaned_data["import_map_path"] or None

    def clean_static_patterns(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["static_patterns"].splitlines() if line.strip()]

    def clean(self) -> dict[str, Any]:
        """``files``: each upload with its checked path in the folder; the entrypoint among them
        (or a single .zip, which carries its own)."""
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        uploads: list[UploadedFile[bytes]] = cleaned.get("file", [])
        paths: list[str] = cleaned.get("path", [])
        files = []
        for index, upload in enumerate(uploads):
            relative = paths[index] if index < len(paths) and paths[index] else str(upload.name)
            try:
                files.append((functions.safe_path(relative), upload))
            except functions.FunctionError as exc:
                raise forms.ValidationError(str(exc)) from None
        if not files:
            raise forms.ValidationError("Choose the function's files (a folder or a .zip).")
        names = [name for name, _ in files]
        entrypoint = cleaned["entrypoint_path"]
        if entrypoint not in names and not (len(names) == 1 and names[0].lower().endswith(".zip")):
            raise forms.ValidationError(f"The entrypoint {entrypoint} is not among the chosen files.")
        cleaned["files"] = files
        return cleaned

    def typed(self) -> dict[str, Any]:
        """What was typed (stripped), for the form to show it again."""
        shown: dict[str, Any] = {
            key: str(self[key].value() or "").strip()
            for key in ("slug", "entrypoint_path", "import_map_path", "static_patterns")
        }
        shown["verify_jwt"] = self.fields["verify_jwt"].clean(self["verify_jwt"].value())
        return shown


class SettingsForm(_Form):
    verify_jwt = Flag()
    entrypoint_path = forms.CharField(required=False)
    import_map_path = forms.CharField(required=False)

    def clean_import_map_path(self) -> str | None:
        return self.cleaned_data["import_map_path"] or None


class DeleteForm(_Form):
    confirm = forms.CharField(required=False)

    def __init__(self, *args: Any, slug: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slug = slug

    def clean_confirm(self) -> str:
        typed: str = self.cleaned_data["confirm"]
        if typed != self.slug:
            raise forms.ValidationError(f"Type the function's slug, {self.slug}, to delete it.")
        return typed


def parse_headers(text: str) -> dict[str, str]:
    """``Name: value`` per line (blank lines skipped); a header the request sets itself is refused."""
    headers = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or any(c in name for c in " \t\r\n"):
            raise forms.ValidationError(f"Headers: line {number} is not 'Name: value'.")
        if name.strip().lower() in FORBIDDEN_HEADERS:
            raise forms.ValidationError(f"Headers: {name.strip()} is set by the request itself.")
        headers[name.strip()] = value.strip()
    return headers


class InvokeForm(_Form):
    method = forms.CharField(required=False, strip=False, widget=_DefaultInput("POST"))
    headers = forms.CharField(required=False, strip=False)
    body = forms.CharField(required=False, strip=False)
    with_anon_key = Flag()

    def clean_method(self) -> str:
        method: str = self.cleaned_data["method"]
        if method not in METHODS:
            raise forms.ValidationError("Choose a method.")
        return method

    def clean_headers(self) -> dict[str, str]:
        return parse_headers(self.cleaned_data["headers"])

    def typed(self) -> dict[str, Any]:
        """What was sent, for the panel to show it again."""
        shown: dict[str, Any] = {key: str(self[key].value() or "") for key in ("method", "headers", "body")}
        shown["with_anon_key"] = self.fields["with_anon_key"].clean(self["with_anon_key"].value())
        return shown
