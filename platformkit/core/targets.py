"""Where a project view's API calls go: the project itself (production) or one of its branches;
and the branch switcher every project page shows.

Access is always decided on the production project's ref (the URL's ``<ref>``); a branch is
chosen with ``?branch=<branch project ref>`` and is looked up among *that* project's branches
only, so a session scoped to one project can reach its branches and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest

from platformkit.api.errors import NotFoundError
from platformkit.api.types import Branch
from platformkit.core.client import get_client

BRANCH_PARAM = "branch"


@dataclass(frozen=True)
class Target:
    project_ref: str  # the production project: the unit of access
    ref: str  # where API calls go: ``project_ref`` or a branch's own project ref
    branch_name: str | None = None  # None: production

    @property
    def is_production(self) -> bool:
        return self.branch_name is None

    @property
    def params(self) -> dict[str, str]:
        """``{"branch": ...}`` to merge into a link's other query parameters ({} for production)."""
        return {} if self.is_production else {BRANCH_PARAM: self.ref}

    @property
    def query(self) -> str:
        """``?branch=...`` to keep the selection on links and forms ("" for production)."""
        return "?" + urlencode(self.params) if self.params else ""


def resolve_target(request: HttpRequest, project_ref: str) -> Target:
    wanted = request.GET.get(BRANCH_PARAM) or (request.POST.get(BRANCH_PARAM) if request.method == "POST" else None)
    if not wanted or wanted == project_ref:
        return Target(project_ref, project_ref)
    try:
        branches = project_branches(project_ref)
    except NotFoundError:
        raise Http404("No such branch in this project") from None
    for branch in branches:
        if wanted in (branch.project_ref, branch.name):
            return Target(project_ref, branch.project_ref, branch.name)
    raise Http404("No such branch in this project")


def request_target(request: HttpRequest) -> Target:
    return request.platformkit_target  # type: ignore[attr-defined]


def project_branches(project_ref: str) -> list[Branch]:
    """The project's branches (production's default branch included), through the read cache."""
    return get_client().branches.list(project_ref)


def switcher_context(target: Target, listed: list[Branch] | None) -> dict[str, Any]:
    """``target`` and ``switcher_branches`` (``project_ref``, ``name``): the project's branches
    (``listed``), or only the current one when the API could not list them in time (the page
    still works, and does not wait on a slow API: ``core.banner.frame``)."""
    branches = [
        {"project_ref": branch.project_ref, "name": branch.name} for branch in listed or [] if not branch.is_default
    ]
    if not target.is_production and target.ref not in {branch["project_ref"] for branch in branches}:
        branches.append({"project_ref": target.ref, "name": target.branch_name or target.ref})
    return {"target": target, "switcher_branches": branches, "branch_switcher": True}
