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
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

__all__ = [
    "REGISTRY",
    "Described",
    "OperationKind",
    "Section",
    "actions",
    "all_sections",
    "collect",
    "describe",
    "finish_hooks",
    "get",
    "keys",
    "operation_kind",
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
class OperationKind:
    """How pages name one kind of operation. The texts are ``str.format`` templates over the
    operation's ``params`` plus ``{target}`` ("production" or "branch dev"); a missing name
    reads as "?" rather than failing a page."""

    title: str  # "Deploy function {slug} on {target}"
    done: str = ""  # what a success says: "Function {slug} is deployed on {target}."
    # The page of the thing changed: a URL name taking the production ref, then ``link_args``
    # read from ``params``; ``?branch=`` is added when the operation ran on a branch.
    link: str | None = None
    link_args: tuple[str, ...] = ()
    link_label: str = ""
    # A ``params`` key naming a branch's ref the link opens on (``?branch=``), for operations on
    # a branch whose row is production's (creating or resetting one): the link stays on it.
    link_branch: str | None = None


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
    # Operation kinds this section starts -> how pages name them (a plain title, or an OperationKind).
    operation_titles: Mapping[str, str | OperationKind] = field(default_factory=dict)
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


def operation_kind(kind: str) -> OperationKind:
    """The declared naming of ``kind`` (its dotted code as the title when no section declares it)."""
    for section in all_sections():
        declared = section.operation_titles.get(kind)
        if declared is not None:
            return declared if isinstance(declared, OperationKind) else OperationKind(title=declared)
    return OperationKind(title=kind)


def operation_title(kind: str) -> str:
    return operation_kind(kind).title


@dataclass(frozen=True)
class Described:
    """What pages say about one operation: its title, what a success means, the thing changed."""

    title: str
    done: str
    link: str | None
    link_label: str


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def _fill(text: str, params: Mapping[str, Any]) -> str:
    # format_map over plain names only: a param holding "{...}" (a typed name) stays text.
    return string.Formatter().vformat(text, (), _Params(params))


def describe(kind: str, params: Mapping[str, Any], project_ref: str) -> Described:
    """Title, result and link of an operation (``Operation.described``) from its kind's declaration.

    ``params["project"]`` names the production project when the row's ``project_ref`` is a
    branch's; ``params["branch"]`` the branch it ran on (for ``branch.*`` kinds, the branch acted
    on), ``params["target"]`` the ref the API was called at."""
    declared = operation_kind(kind)
    params = params or {}
    production = params.get("project") or project_ref
    on_branch = params.get("branch") if not kind.startswith("branch.") else None
    target_ref = params.get("target") or (project_ref if on_branch else production)
    values = {**params, "target": f"branch {on_branch}" if on_branch else "production"}
    link = None
    if declared.link:
        try:
            link = reverse(f"platformkit:{declared.link}", args=[production, *(params[a] for a in declared.link_args)])
        except (KeyError, NoReverseMatch):
            link = None
        branch_ref = params.get(declared.link_branch) if declared.link_branch else None
        if link is not None and (branch_ref or target_ref != production):
            link += "?" + urlencode({"branch": branch_ref or target_ref})
    return Described(
        title=_fill(declared.title, values),
        done=_fill(declared.done, values),
        link=link,
        link_label=_fill(declared.link_label, values),
    )


def finish_hooks(kind: str) -> list[Callable[..., Any]]:
    return [import_string(path) for section in all_sections() for path in section.finish_hooks.get(kind, ())]


def collect(hook: str) -> Iterator[Callable[..., Any]]:
    """The callables every section declared for the extension hook ``hook``, in registry order."""
    for section in all_sections():
        for path in section.hooks.get(hook, ()):
            yield import_string(path)
