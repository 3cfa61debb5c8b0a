"""The extension points sections offer one another, so no section imports another:

- after a migration, rollback or seed applied from the dashboard: ``after_change(ChangeApplied)``
  calls each hook (the restore points section takes a restore point);
- in a merge review: ``merge_checks()`` lists the checks, each ``check(review) -> CheckResult |
  None``; a blocking result stops the merge unless an operator overrides it with a reason
  (the advisors section's security gate).

Sections declare their hooks as dotted paths in their ``Section`` (``after_change``,
``merge_checks``); a host can append callables to ``AFTER_CHANGE_HOOKS`` / ``MERGE_CHECKS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from platformkit.api.types import Branch, Migration
from platformkit.core import sections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangeApplied:
    kind: str  # "migration", "rollback" or "seed"
    project_ref: str  # production: the unit of access
    target_ref: str  # where it ran
    label: str  # migration name or version, or "seed"
    user: Any


# Called after a change succeeded; a failing hook is logged, never undoes the change.
AFTER_CHANGE_HOOKS: list[Callable[[ChangeApplied], None]] = []


def after_change(event: ChangeApplied) -> None:
    """Run every after-change hook; the change stays whatever a hook does."""
    for hook in _unique([*sections.collect("after_change"), *AFTER_CHANGE_HOOKS]):
        try:
            hook(event)
        except Exception:
            logger.exception("after-change hook %r failed for %s", hook, event)


@dataclass(frozen=True)
class CheckResult:
    name: str
    message: str
    blocking: bool = False


@dataclass
class MergeReview:
    project_ref: str
    branch: Branch
    diff: str
    to_apply: list[Migration]  # on the branch, not in production, in order
    production_only: list[Migration]  # in production, not on the branch: the branch is behind
    gaps: list[str] = field(default_factory=list)  # versions out of order in the branch history
    conflicts: list[str] = field(default_factory=list)  # same version, different name: skipped by a merge
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return any(check.blocking for check in self.checks)

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.production_only:
            versions = ", ".join(m.version for m in self.production_only)
            found.append(
                f"Production has migrations this branch lacks ({versions}): "
                "reset or rebase the branch first, or they may conflict."
            )
        if self.gaps:
            found.append(
                f"The branch's history has migrations older than production's latest ({', '.join(self.gaps)}): "
                "they would apply out of order."
            )
        if self.conflicts:
            found.append(
                f"Versions {', '.join(self.conflicts)} exist in both with different names: "
                "the merge skips them, so the branch's change would never reach production."
            )
        if not self.to_apply:
            found.append("The branch has no migrations production lacks: merging changes no schema.")
        return found


# Hosts may append their own; sections declare theirs in ``Section.merge_checks``.
MERGE_CHECKS: list[Callable[[MergeReview], CheckResult | None]] = []


def merge_checks() -> list[Callable[[MergeReview], CheckResult | None]]:
    return _unique([*sections.collect("merge_checks"), *MERGE_CHECKS])


def _unique(hooks: list[Callable[..., Any]]) -> list[Callable[..., Any]]:
    """Sections' hooks first (as when ready() appended them), each once even if a host appended
    a section's hook to the list as well."""
    return list(dict.fromkeys(hooks))
