"""The navigation: the registry's sections (``platformkit.core.sections``), in its order.

A section with a ``url_name`` is built; one without shows as a disabled "soon" item. Project
sections need a project in context: on pages without one they are shown disabled. With a project,
its Overview comes right after Projects.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from platformkit.conf import feature_enabled
from platformkit.core import sections

OVERVIEW = "overview"  # the nav key of a project's overview (a page of the projects section)


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str | None  # None: disabled
    current: bool
    soon: bool


def nav_items(
    current: str, project_ref: str | None = None, current_app: str | None = None, query: str = ""
) -> list[NavItem]:
    """``query`` (a target's ``?branch=...``) goes on every project section's link, so moving
    between sections on a branch stays on the branch."""
    items = []
    for section in sections.all_sections():
        if not feature_enabled(section.key):
            continue
        url = None
        if section.url_name and (project_ref or not section.per_project):
            args = [project_ref] if section.per_project else []
            try:
                url = reverse(section.url_name, args=args, current_app=current_app)
                url += query if section.per_project else ""
            except NoReverseMatch:
                url = None
        items.append(NavItem(section.key, section.label, url, section.key == current, section.url_name is None))
        if section.key == "projects" and project_ref:
            # The project's own overview, first of its pages (the projects section's page for one project).
            overview = reverse("platformkit:project", args=[project_ref], current_app=current_app) + query
            items.append(NavItem(OVERVIEW, "Overview", overview, current == "projects", False))
            items[-2] = dataclasses.replace(items[-2], current=False)
    return items
