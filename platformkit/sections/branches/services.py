"""Branch workflows from the dashboard: starting create/merge/push/reset upstream, following
their action run in a django-q2 task (an ``Operation`` per workflow), the merge review (what
will be applied, what looks wrong) and the merge checks that may block it.

Merge checks are a registry: each ``check(review) -> CheckResult | None`` runs when the review
step renders; a result with ``blocking=True`` stops the merge unless an operator overrides it
with a reason (recorded in the audit trail as ``branches.merge_override``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from platformkit.api import errors
from platformkit.api.types import Branch, Migration
from platformkit.models import Operation
from platformkit.services import forget_cached_reads, get_client

logger = logging.getLogger(__name__)

FOLLOW_TASK = "platformkit.sections.branches.services.follow_action_run"
WORKFLOW_DEADLINE = timedelta(minutes=30)


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
                f"Production has migrations this branch lacks ({versions}): reset or rebase the branch first, or they may conflict."
            )
        if self.gaps:
            found.append(
                f"The branch's history has migrations older than production's latest ({', '.join(self.gaps)}): they would apply out of order."
            )
        if self.conflicts:
            found.append(
                f"Versions {', '.join(self.conflicts)} exist in both with different names: the merge skips them, so the branch's change would never reach production."
            )
        if not self.to_apply:
            found.append("The branch has no migrations production lacks: merging changes no schema.")
        return found


# Registered by other sections (e.g. the security advisor gate) at app ready time.
MERGE_CHECKS: list[Callable[[MergeReview], CheckResult | None]] = []


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
    for check in MERGE_CHECKS:
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
    transaction.on_commit(lambda: enqueue_follow(operation.pk))
    return operation


def enqueue_follow(operation_id: int) -> None:
    from platformkit.tasks import enqueue

    enqueue(FOLLOW_TASK, operation_id)


def follow_action_run(operation_id: int) -> str:
    """Read the workflow's action run until every step exited (SUCCEEDED) or one died (FAILED,
    with the run's logs as the message). Hands over to a fresh run before the worker timeout;
    a redelivered copy carries on from the row (see :mod:`platformkit.tasks`)."""
    from platformkit.tasks import _claim, _finish, _release, run_budget_seconds

    budget = run_budget_seconds()
    started = time.monotonic()
    if not _claim(operation_id):
        return "skipped"
    operation = Operation.objects.get(pk=operation_id)
    operation.attempts += 1
    operation.started_at = operation.started_at or timezone.now()
    operation.save(update_fields=["attempts", "started_at", "updated_at"])
    client = get_client(cached=False, max_call_seconds=budget / 4).branches
    ref, run_id = operation.params["branch_ref"], operation.params.get("run_id", "")
    while True:
        if timezone.now() >= operation.deadline:
            return _finish(operation, Operation.Status.TIMED_OUT, "The workflow did not finish before the deadline.")
        if time.monotonic() - started > budget * 0.75:
            _release(operation)
            enqueue_follow(operation.pk)
            return "continued"
        try:
            run = client.action_run(ref, run_id)
        except errors.NotFoundError:
            return _finish(operation, Operation.Status.FAILED, "The workflow run no longer exists upstream.")
        except errors.APIError as exc:
            operation.message = f"Reading the workflow failed: {type(exc).__name__}; retrying."
        else:
            operation.progress = {"steps": [{"name": step.name, "status": step.status} for step in run.run_steps]}
            if run.finished:
                logs = _logs(client, ref, run_id)
                if run.failed:
                    return _finish(operation, Operation.Status.FAILED, logs)
                return _finish(operation, Operation.Status.SUCCEEDED, "")
        operation.save(update_fields=["progress", "message", "updated_at"])
        time.sleep(0.5)


def _logs(client: Any, ref: str, run_id: str) -> str:
    try:
        text = client.action_run_logs(ref, run_id)
    except errors.APIError:
        return "The workflow failed (its logs could not be read)."
    failed = [line for line in text.splitlines() if "failed" in line]
    return "\n".join(failed) or text[-2000:]
