"""Applying schema changes and seed data from the dashboard; each success runs the
after-change hooks (``platformkit.core.hooks``: the restore points section takes a point)."""

from __future__ import annotations

import logging
from typing import Any

from platformkit.core import hooks
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.hooks import ChangeApplied

logger = logging.getLogger(__name__)


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
    _applied(ChangeApplied("migration", project_ref, target_ref, name or "unnamed", user))


def rollback_latest(*, user: Any, project_ref: str, target_ref: str, version: str) -> None:
    get_client(cached=False).database.rollback_migrations(target_ref, gte=version)
    _applied(ChangeApplied("rollback", project_ref, target_ref, version, user))


def seed(*, user: Any, project_ref: str, target_ref: str, sql: str) -> int:
    rows = get_client(cached=False).database.query(target_ref, sql)
    _applied(ChangeApplied("seed", project_ref, target_ref, "seed", user))
    return len(rows)


def _applied(event: ChangeApplied) -> None:
    forget_cached_reads()  # pages must show the new schema
    hooks.after_change(event)
