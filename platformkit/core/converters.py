"""URL converters of the dashboard's routes, registered once by the app config's ``ready()``
(before any URLconf is imported), not as a side effect of importing one view module."""

from __future__ import annotations

from django.urls import register_converter
from django.urls.converters import get_converters


class ProjectRefConverter:
    """A project or branch ref: lowercase letters, digits and dashes."""

    regex = "[a-z0-9][a-z0-9-]{0,63}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register() -> None:
    if "project_ref" not in get_converters():  # ready() can run again (apps registry reloads in tests)
        register_converter(ProjectRefConverter, "project_ref")
