"""Branch workflows from the dashboard: starting create/merge/push/reset upstream (an
``Operation`` per workflow, followed by ``tasks.follow_action_run``), the merge review (what
will be applied, what looks wrong) and the merge checks that may block it.

Merge checks (``platformkit.core.hooks.merge_checks``): each ``check(review) -> CheckResult | None``
runs when the review step renders; a result with ``blocking=True`` stops the merge unless an operator overrides it
with a reason (recorded in the audit trail as ``branches.merge_override``)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from platformkit.api import errors
from platformkit.api.types import Branch
from platformkit.core import hooks, panels
from platformkit.core.audit import audit
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.destructive import Preview, restore_point_first
from platformkit.core.hooks import CheckResult, MergeReview
from platformkit.core.operations import enqueue_on_commit
from platformkit.core.targets import Target
from platformkit.models import Operation
from platformkit.sections.branches.tasks import FOLLOW_TASK

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser

logger = logging.getLogger(__name__)

WORKFLOW_DEADLINE = timedelta(minutes=30)


def list_branches(project_ref: str, *, fresh: bool = True) -> list[Branch]:
    """The project's branches, production's default branch left out; within a panel's time
    limit (a hung API gets the Retry panel). ``fresh``: as they are now, not from the read cache
    (an action on one); the list page reads through the cache, which every change and finished
    operation clears (fresh, it was one call per view: 100 operators spent the project's budget)."""
    client = panels.panel_client(cached=not fresh)
    return [branch for branch in client.branches.list(project_ref) if not branch.is_default]


def find_branch(project_ref: str, branch_ref: str) -> Branch | None:
    """One of the project's branches by its own project ref (``None``: not one of them)."""
    return next((branch for branch in list_branches(project_ref) if branch.project_ref == branch_ref), None)


def review_merge(project_ref: str, branch: Branch) -> MergeReview:
    client = get_client(cached=False)
    diff = client.branches.diff(branch.id)
    production = client.database.list_migrations(project_ref)
    on_branch = client.database.list_migrations(branch.project_ref)
    have = {m.version for m in production}
    names = {m.version: m.name for m in production}
    theirs = {m.version for m in on_branch}
    to_apply = [m for m in on_branch if m.version not in have]
    latest_production = max(have, default="")
    review = MergeReview(
        project_ref=project_ref,
        branch=branch,
        diff=diff,
        to_apply=to_apply,
        production_only=[m for m in production if m.version not in theirs],
        gaps=[m.version for m in to_apply if m.version < latest_production],
        conflicts=[m.version for m in on_branch if m.version in have and m.name != names.get(m.version)],
    )
    for check in hooks.merge_checks():
        try:
            result = check(review)
        except Exception as exc:  # a broken check blocks rather than silently passing
            logger.exception("merge check %r failed", check)
            result = CheckResult(
                getattr(check, "__name__", "check"), f"The check failed to run: {type(exc).__name__}", blocking=True
            )
        if result is not None:
            review.checks.append(result)
    return review


def functions_promoted(project_ref: str, branch: Branch) -> list[str] | None:
    """The slugs of the branch's Edge Functions a merge deploys to production: new there, or
    with other code (``ezbr_sha256``) or JWT setting; None when the API cannot list them."""
    client = get_client(cached=False).functions
    try:
        on_branch, live = client.list(branch.project_ref), {f.slug: f for f in client.list(project_ref)}
    except errors.APIError:
        return None
    return [
        f.slug
        for f in on_branch
        if f.slug not in live or (live[f.slug].ezbr_sha256, live[f.slug].verify_jwt) != (f.ezbr_sha256, f.verify_jwt)
    ]


def merge_preview(review: MergeReview, promoted: list[str] | None) -> Preview:
    """What merging changes in production (``core.destructive``): migrations applied, functions deployed."""
    items = [f"Apply migration {m.version} {m.name or ''}".strip() for m in review.to_apply]
    if promoted is None:
        note = "The branch's Edge Functions could not be listed: any that changed are deployed too."
    else:
        items += [f"Deploy function {slug} to production" for slug in promoted]
        note = "" if items else "Nothing to apply: production's schema and functions stay as they are."
    return Preview("branches.merge", f"Merge {review.branch.name} into production", items=items, note=note)


def start_workflow(*, user: Any, kind: str, project_ref: str, branch: Branch) -> Operation:
    """POST merge/push/reset upstream, then an Operation whose task follows the action run."""
    client = get_client(cached=False).branches
    action = {"merge": client.merge, "push": client.push, "reset": client.reset}[kind]
    update = action(branch.id)
    return _follow(
        user=user, kind=f"branch.{kind}", project_ref=project_ref, branch=branch, run_id=update.workflow_run_id
    )


def create_branch(
    *, user: Any, project_ref: str, name: str, with_data: bool, secrets: dict[str, str], persistent: bool
) -> Operation:
    client = get_client(cached=False).branches
    branch = client.create(
        project_ref, branch_name=name, with_data=with_data, secrets=secrets or None, persistent=persistent
    )
    runs = client.action_runs(branch.project_ref)
    run_id = runs[0].id if runs else ""
    return _follow(user=user, kind="branch.create", project_ref=project_ref, branch=branch, run_id=run_id)


def _follow(*, user: Any, kind: str, project_ref: str, branch: Branch, run_id: str) -> Operation:
    forget_cached_reads()
    operation = Operation.objects.create(
        kind=kind,
        project_ref=project_ref,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        params={"branch": branch.name, "branch_ref": branch.project_ref, "run_id": run_id},
        deadline=timezone.now() + WORKFLOW_DEADLINE,
    )
    enqueue_on_commit(FOLLOW_TASK, operation.pk)
    return operation


# What the dashboard's buttons do: the workflow started upstream, and the audit trail.


def create(
    user: User, *, project_ref: str, name: str, with_data: bool, secrets: dict[str, str], persistent: bool
) -> Operation:
    """:func:`create_branch`, audited (``branches.create``; the secrets' names only, never their
    values). Upstream errors propagate after a failure event."""
    try:
        operation = create_branch(
            user=user, project_ref=project_ref, name=name, with_data=with_data, secrets=secrets, persistent=persistent
        )
    except errors.APIError:
        audit(user, "branches.create", project_ref=project_ref, success=False, detail={"name": name})
        raise
    audit(
        user,
        "branches.create",
        project_ref=project_ref,
        detail={"name": name, "with_data": with_data, "secret_names": sorted(secrets)},
    )
    return operation


def merge(
    user: User, *, project_ref: str, branch: Branch, review: MergeReview, override_reason: str
) -> tuple[Operation, Any | None]:
    """Start the merge, a restore point of production taken first (``core.destructive``); a
    blocked review (the caller checked the operator may override it) is recorded first as
    ``branches.merge_override`` with the reason and the blocking checks. The merge's operation
    and the restore point's (or None)."""
    if review.blocked:
        audit(
            user,
            "branches.merge_override",
            project_ref=project_ref,
            detail={
                "branch": branch.name,
                "reason": override_reason[:500],
                "checks": [c.name for c in review.checks if c.blocking],
            },
        )
    taken = restore_point_first(user, "branches.merge", production(project_ref), f"merge of {branch.name}")
    try:
        operation = start_workflow(user=user, kind="merge", project_ref=project_ref, branch=branch)
    except errors.APIError:
        audit(user, "branches.merge", project_ref=project_ref, success=False, detail={"branch": branch.name})
        raise
    audit(
        user,
        "branches.merge",
        project_ref=project_ref,
        # The versions it promotes and its operation: an undo's preview lists them as reverted.
        detail={"branch": branch.name, "migrations": [m.version for m in review.to_apply], "operation": operation.pk},
    )
    return operation, taken


def production(project_ref: str) -> Target:
    return Target(project_ref, project_ref)


def reset(user: User, *, project_ref: str, branch: Branch) -> Operation:
    operation = start_workflow(user=user, kind="reset", project_ref=project_ref, branch=branch)
    audit(user, "branches.reset", project_ref=project_ref, detail={"branch": branch.name})
    return operation


def delete(user: User, *, project_ref: str, branch: Branch, now: bool) -> None:
    """Delete now, or schedule the deletion after the grace period (undoable with :func:`restore`)."""
    get_client(cached=False).branches.delete(branch.id, force=now)
    forget_cached_reads()
    audit(user, "branches.delete", project_ref=project_ref, detail={"branch": branch.name, "scheduled": not now})


def restore(user: User, *, project_ref: str, branch: Branch) -> None:
    """Undo a scheduled deletion."""
    get_client(cached=False).branches.restore(branch.id)
    forget_cached_reads()
    audit(user, "branches.restore", project_ref=project_ref, detail={"branch": branch.name})
