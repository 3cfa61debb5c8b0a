"""What every project section shows about branches: the branch switcher's choices and the
current target, for ``platformkit/includes/branch_switcher.html``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from platformkit import services
from platformkit.core import upstream
from platformkit.core.targets import request_target


def switcher_context(request: HttpRequest) -> dict[str, Any]:
    """``target`` and ``branches`` (empty when the API cannot list them: the page still works)."""
    target = request_target(request)
    listed = upstream.attempt(lambda: services.project_branches(target.project_ref))
    branches = [branch for branch in (listed.value or []) if not branch.is_default]
    return {"target": target, "switcher_branches": branches, "branch_switcher": True}
