"""The navigation: every section listed, unbuilt ones as "soon", switched-off ones hidden."""

from __future__ import annotations

from typing import Any

from platformkit.core.navigation import nav_items
from platformkit.core.sections import all_sections


def test_all_sections_listed_with_projects_built() -> None:
    items = nav_items("projects")
    assert [item.key for item in items] == [
        "projects",
        "database",
        "users",
        "storage",
        "connect",
        "branches",
        "sql",
        "migrations",
        "functions",
        "restore_points",
        "advisors",
        "logs",
        "usage",
        "audit",
        "settings",
    ]
    assert items[0].url == "/platform/" and items[0].current and not items[0].soon
    # Built sections are per project: disabled without one; the rest say "soon".
    built = {section.key for section in all_sections() if section.url_name}
    assert all(item.url is None and item.soon == (item.key not in built) for item in items[1:])


def test_switched_off_sections_are_hidden(settings: Any) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "FEATURES": {"logs": False, "sql": False}}
    assert "logs" not in {item.key for item in nav_items("projects")}
    assert "sql" not in {item.key for item in nav_items("projects")}


def test_a_project_has_its_overview_in_the_sidebar_on_its_target() -> None:
    ref = "abcdefghijklmnopqrst"
    items = nav_items("projects", project_ref=ref, query="?branch=qrstuvwxyzabcdefghij")
    assert [item.key for item in items[:3]] == ["projects", "overview", "database"]
    overview = items[1]
    assert overview.url == f"/platform/projects/{ref}/?branch=qrstuvwxyzabcdefghij" and overview.current
    assert not items[0].current  # the projects list is not the page shown
    assert not nav_items("sql", project_ref=ref)[1].current
