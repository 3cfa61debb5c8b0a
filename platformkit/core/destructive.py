"""One rule for destructive actions, applied here and nowhere else.

Anything that rolls back, restores, merges, seeds, pauses or deletes on production:

- shows a preview of what it will change (each section computes its own: statements, tables,
  migrations and functions promoted, migrations reverted) — :class:`Preview`, rendered by
  ``platformkit/includes/destructive_preview.html``;
- requires the project ref typed (:class:`TypedRef`, a form mixin: ``confirm_ref``, its input
  ``includes/typed_ref.html``);
- takes a restore point first for the kinds in :data:`RESTORE_POINT_FIRST`, through the API
  (``client.backups.create_restore_point``, by the restore points section's
  ``before_destructive`` hook, so the timeline keeps it), and the result links it.

On a branch only the restore point is taken: a branch is where mistakes are cheap, but undoing
one still needs a point to go back to. An undo or PITR waits for its point to be AVAILABLE before
it asks the API (restoring while the snapshot is taken would race it).

Used by: migration rollback and seed, branch merge, undo and PITR, project pause and delete.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest

from platformkit.core import sections
from platformkit.core.rendering import url
from platformkit.core.targets import Target
from platformkit.models import RestorePoint

logger = logging.getLogger(__name__)

# Action -> what the typed-ref refusal says it does.
DESTRUCTIVE: dict[str, str] = {
    "branches.merge": "merges the branch into production",
    "migrations.rollback": "rolls production back",
    "migrations.seed": "inserts seed data into production",
    "restore_points.undo": "restores production to an earlier state",
    "restore_points.pitr": "restores production to an earlier time",
    "projects.pause": "pauses production: every connection drops",
    "projects.delete": "deletes the project and all its data",
}
# Those a branch can take instead: the refusal on production suggests switching to one.
ALSO_ON_BRANCHES = frozenset({"migrations.rollback", "migrations.seed", "restore_points.undo"})
# Taken first: a point to come back to if the action itself was the mistake.
RESTORE_POINT_FIRST = frozenset(
    {"branches.merge", "migrations.rollback", "migrations.seed", "restore_points.undo", "restore_points.pitr"}
)


@dataclass(frozen=True)
class Preview:
    """What an action will change, as the confirmation shows it."""

    action: str
    title: str  # "Roll back 20260101120000 add_todos"
    statements: str = ""  # the SQL that will run, when known
    items: list[str] = field(default_factory=list)  # tables, migrations, functions promoted...
    note: str = ""

    @property
    def restore_point_first(self) -> bool:
        return self.action in RESTORE_POINT_FIRST


def needs_typed_ref(action: str, target: Target) -> bool:
    return action in DESTRUCTIVE and target.is_production


def typed_ref_error(action: str, target: Target, typed: str | None) -> str | None:
    """The refusal when ``action`` on ``target`` needs the ref typed and it was not, else None."""
    if not needs_typed_ref(action, target) or (typed or "").strip() == target.project_ref:
        return None
    elsewhere = ", or switch to a branch" if action in ALSO_ON_BRANCHES else ""
    return f"This {DESTRUCTIVE[action]}. Type the project ref {target.project_ref} to confirm{elsewhere}."


class TypedRef(forms.Form):
    """A form mixin: ``confirm_ref`` must be the project ref when ``action`` runs on production."""

    confirm_ref = forms.CharField(required=False, strip=True)

    def __init__(self, *args: Any, action: str, target: Target, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.destructive_action, self.target = action, target

    @property
    def typed_ref(self) -> str:
        """The ref as typed (shown again after a refusal)."""
        return str(self["confirm_ref"].data or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        problem = typed_ref_error(self.destructive_action, self.target, cleaned.get("confirm_ref"))
        if problem and not self.errors:
            self.add_error("confirm_ref", problem)
        return cleaned


def restore_point_first(user: Any, action: str, target: Target, label: str) -> Any | None:
    """Take a restore point before ``action`` (when the rule asks for one): what the first hook
    that answers returns (the restore points section's: the point's operation), or None. A
    missing restore point is logged and the action goes on: the operator confirmed it, and
    the preview said a point would be tried, not promised."""
    if action not in RESTORE_POINT_FIRST:
        return None
    hooks: list[Callable[..., Any]] = list(sections.collect("before_destructive"))
    for hook in hooks:
        taken = hook(user, target, f"before {label}"[:200])
        if taken is not None:
            return taken
    logger.warning("no restore point before %s on %s", action, target.ref)
    return None


RESTORE_POINT_PARAM = "restore_point"


def taken_name(taken: Any | None) -> str | None:
    """The restore point's name from what :func:`restore_point_first` returned."""
    params = getattr(taken, "params", None) or {}
    name = params.get("name")
    return str(name) if name else None


def with_taken(location: str, taken: Any | None) -> str:
    """``location`` with the restore point taken first named in its query (the result page
    links it; a redirect's GET has nothing else to carry it, an embed has no session messages)."""
    name = taken_name(taken)
    if not name:
        return location
    return location + ("&" if "?" in location else "?") + urlencode({RESTORE_POINT_PARAM: name})


def taken_context(request: HttpRequest, target: Target) -> dict[str, Any]:
    """``restore_point_taken`` and its link for ``includes/restore_point_taken.html``, when the
    URL names a restore point this dashboard took on ``target`` (anything else is ignored)."""
    name = request.GET.get(RESTORE_POINT_PARAM, "")
    if not name or not RestorePoint.objects.filter(target_ref=target.ref, name=name).exists():
        return {}
    return {
        "restore_point_taken": name,
        "restore_point_url": url(request, "restore-points", target.project_ref) + target.query,
    }
