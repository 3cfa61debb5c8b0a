"""The section registry: each dashboard section declares everything about itself in its own
package's ``SECTION`` (django-debug-toolbar's panels, allauth's ``mfa/<feature>/``), and the
URLconf, the navigation, the embed permission vocabulary, operation titles, finish hooks and
extension hooks are all collected from here. Adding a section adds a line to ``REGISTRY`` and
touches nothing else outside its own folder, templates and tests.

This module imports no section at import time; the section packages' ``__init__`` modules are
declarative (they import only this module), so reading the registry is cheap and cycle-free.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string

__all__ = [
    "REGISTRY",
    "Section",
    "actions",
    "all_sections",
    "collect",
    "finish_hooks",
    "get",
    "keys",
    "operation_title",
]

# Navigation order. Dotted paths of packages whose ``SECTION`` is a :class:`Section`.
REGISTRY: tuple[str, ...] = (
    "platformkit.sections.projects",
    "platformkit.sections.database",
    "platformkit.sections.users",
    "platformkit.sections.storage",
    "platformkit.sections.connect",
    "platformkit.sections.branches",
    "platformkit.sections.sql",
    "platformkit.sections.migrations",
    "platformkit.sections.functions",
    "platformkit.sections.restore_points",
    "platformkit.sections.advisors",
    "platformkit.sections.logs",
    "platformkit.sections.usage",
    "platformkit.sections.audit",
    "platformkit.sections.settings",
)


@dataclass(frozen=True)
class Section:
    """What a section is and what it contributes. Dotted paths are imported when first used."""

    key: str  # the FEATURES switch, the embed permission name, the templates' folder
    label: str  # in the navigation
    url_name: str | None = None  # the navigation's target; None: shown as "soon"
    per_project: bool = True  # needs a project in context (all but the projects list)
    urls: str | None = None  # module with ``urlpatterns``; default "<package>.urls"
    # Actions a view names in ``project_view(..., action=...)`` so an embed can deny them.
    actions: tuple[str, ...] = ()
    # Operation kinds this section starts -> the title pages show.
    operation_titles: Mapping[str, str] = field(default_factory=dict)
    # Operation kind -> dotted callables run with the finished row (in ``operations.finish``).
    finish_hooks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Extension hooks offered by other sections (``platformkit.core.hooks``): name -> callables.
    hooks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Called once from the app config's ready() (e.g. to connect a signal).
    ready: str | None = None
    package: str = ""  # filled in by the registry

    @property
    def urls_module(self) -> str:
        return self.urls or f"{self.package}.urls"

    def resolve(self) -> None:
        """Import every dotted path the section declares, so a wrong one fails at start-up
        rather than after a change it should have followed."""
        for paths in [*self.finish_hooks.values(), *self.hooks.values()]:
            for path in paths:
                import_string(path)

    def urlpatterns(self) -> list[Any]:
        return list(importlib.import_module(self.urls_module).urlpatterns)


@functools.cache
def all_sections() -> tuple[Section, ...]:
    found = []
    for dotted in REGISTRY:
        section = importlib.import_module(dotted).SECTION
        if not isinstance(section, Section):
            raise TypeError(f"{dotted}.SECTION is not a platformkit.core.sections.Section")
        found.append(dataclasses.replace(section, package=dotted))
    keys = [section.key for section in found]
    if len(set(keys)) != len(keys):
        raise ValueError(f"two sections share a key: {keys}")
    return tuple(found)


def keys() -> tuple[str, ...]:
    return tuple(section.key for section in all_sections())


def get(key: str) -> Section:
    for section in all_sections():
        if section.key == key:
            return section
    raise KeyError(key)


def actions() -> frozenset[str]:
    return frozenset(action for section in all_sections() for action in section.actions)


def operation_title(kind: str) -> str:
    for section in all_sections():
        if kind in section.operation_titles:
            return section.operation_titles[kind]
    return kind


def finish_hooks(kind: str) -> list[Callable[..., Any]]:
    return [import_string(path) for section in all_sections() for path in section.finish_hooks.get(kind, ())]


def collect(hook: str) -> Iterator[Callable[..., Any]]:
    """The callables every section declared for the extension hook ``hook``, in registry order."""
    for section in all_sections():
        for path in section.hooks.get(hook, ()):
            yield import_string(path)
