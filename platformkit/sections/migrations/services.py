"""Applying schema changes and seed data from the dashboard, and the hook that runs after each
one (the restore points section registers "create a restore point after a change" here)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from platformkit.services import forget_cached_reads, get_client

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
    forget_cached_reads()
    for hook in list(AFTER_CHANGE_HOOKS):
        try:
            hook(event)
        except Exception:
            logger.exception("after-change hook %r failed for %s", hook, event)


def apply_migration(
    *,
    user: Any,
    project_ref: str,
    target_ref: str,
    name: str,
    sql: str,
    rollback: str,
    idempotency_key: str | None = None,
) -> None:
    """``idempotency_key``: the form's own, so submitting the same form twice applies it once."""
    get_client(cached=False).database.apply_migration(
        target_ref, query=sql, name=name or None, rollback=rollback or None, idempotency_key=idempotency_key
    )
    after_change(ChangeApplied("migration", project_ref, target_ref, name or "unnamed", user))


def rollback_latest(*, user: Any, project_ref: str, target_ref: str, version: str) -> None:
    get_client(cached=False).database.rollback_migrations(target_ref, gte=version)
    after_change(ChangeApplied("rollback", project_ref, target_ref, version, user))


def seed(*, user: Any, project_ref: str, target_ref: str, sql: str) -> int:
    rows = get_client(cached=False).database.query(target_ref, sql)
    after_change(ChangeApplied("seed", project_ref, target_ref, "seed", user))
    return len(rows)
