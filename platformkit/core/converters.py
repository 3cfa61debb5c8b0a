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


class MigrationVersionConverter:
    """A migration's version: digits (the API refuses anything else), kept as text, so
    migrations/abc/ is a 404 with no API call. Not a ``ProjectRefConverter`` subclass: code tells
    project refs by that class."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register() -> None:
    registered = get_converters()  # ready() can run again (apps registry reloads in tests)
    for name, converter in (("project_ref", ProjectRefConverter), ("migration_version", MigrationVersionConverter)):
        if name not in registered:
            register_converter(converter, name)
