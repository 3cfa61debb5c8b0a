"""The banner every project page shows: which project, and production or which branch, so an
operator never changes production believing they are on a branch (or the other way round); and
the target's state when it is not simply up (paused, restoring, resizing: core.project_states),
so a page's refused connections are explained where they happen.

The frame's upstream calls (the target's project, the production project's name on a miss of
its own cache, the branches for the switcher) go out together through the read cache and are
waited for ``PANEL_WAIT`` at most (core.panels): a slow or down API leaves the state out and names
the project by its ref rather than holding every page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from platformkit.conf import SetupMissing
from platformkit.core import panels, upstream
from platformkit.core.project_states import ProjectState, project_state
from platformkit.core.targets import Target, switcher_context

NAME_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Banner:
    project_ref: str
    project_name: str
    branch_name: str | None  # None: production
    state: ProjectState | None = None  # the target's, when it is not simply up
    query: str = ""  # the target as a link's query string ("?branch=<ref>"; "" for production)

    @property
    def is_production(self) -> bool:
        return self.branch_name is None


def _key(ref: str) -> str:
    return f"platformkit:project-name:{ref}"


def remember_name(ref: str, name: str | None, *, known: str | None = None) -> None:
    """A page that fetched the project anyway primes the banner's cache. Written only when it
    changed (``known``: the cached name the caller already read): on the database cache a write
    is five queries (cull count, transaction, select, update), on every page view."""
    if name and name != (known if known is not None else cache.get(_key(ref))):
        cache.set(_key(ref), name, NAME_CACHE_SECONDS)


def frame(target: Target, *, switcher: bool, resolved: bool = True) -> dict[str, Any]:
    """The context of a project page's frame: the banner (``target_banner``) and, with
    ``switcher``, the branch switcher's. Their upstream calls go out at once and are waited for
    ``PANEL_WAIT`` at most: a slow API leaves the state out, the name as the ref and the
    switcher with the current target only, rather than holding the page. ``resolved``: the
    request's target was resolved (a project view past its gate), not assumed to be production."""
    try:
        client = panels.panel_client()
    except SetupMissing:
        if resolved:
            raise  # a project page before set-up is done: the set-up page, as any API call would
        # A refusal answered before the target was resolved: the banner names the ref.
        return {"target_banner": Banner(target.project_ref, target.project_ref, target.branch_name)}
    name = cache.get(_key(target.project_ref))
    calls: dict[str, Callable[[], Any]] = {"project": lambda: client.projects.get(target.ref)}
    if not name and not target.is_production:
        calls["production"] = lambda: client.projects.get(target.project_ref)
    if switcher:
        calls["branches"] = lambda: client.branches.list(target.project_ref)
    found = panels.gather(calls)
    project = _value(found.get("project"))
    production = project if target.is_production else _value(found.get("production"))
    if production is not None:
        remember_name(target.project_ref, production.name, known=name or "")
        name = production.name or name
    state = project_state(project.status) if project is not None else None
    context: dict[str, Any] = {
        "target_banner": Banner(
            target.project_ref, str(name or target.project_ref), target.branch_name, state, target.query
        )
    }
    if switcher:
        context.update(switcher_context(target, _value(found.get("branches"))))
    return context


def _value(outcome: upstream.Outcome[Any] | None) -> Any:
    return outcome.value if outcome is not None else None
