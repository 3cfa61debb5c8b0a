"""Schema changes and seed data from the dashboard: the history and one migration of a target,
applying a migration, rolling back the latest, seeding; each recorded in the audit trail, and
each success runs the after-change hooks (``platformkit.core.hooks``: the restore points section
takes a point)."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from platformkit.api import errors
from platformkit.api.types import Migration
from platformkit.core import hooks
from platformkit.core.audit import audit
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.hooks import ChangeApplied

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

logger = logging.getLogger(__name__)


def list_migrations(target_ref: str) -> list[Migration]:
    return get_client(cached=False).database.list_migrations(target_ref)


def get_migration(target_ref: str, version: str) -> Migration:
    return get_client(cached=False).database.get_migration(target_ref, version)


def form_key(user: AbstractBaseUser | AnonymousUser, key: uuid.UUID | None) -> str | None:
    """The rendered form's key, scoped to the user so keys of two users never meet."""
    return None if key is None else f"{user.pk}:{key}"


def apply_migration(
    *,
    user: AbstractBaseUser | AnonymousUser,
    project_ref: str,
    target_ref: str,
    name: str,
    sql: str,
    rollback: str,
    idempotency_key: str | None = None,
) -> None:
    """``name`` as typed (stripped here); ``idempotency_key``: the form's own (see
    :func:`form_key`), so submitting the same form twice applies it once. Audited either way;
    an API error is raised again after it is recorded."""
    label = name.strip()
    detail = {"target": target_ref, "name": name[:200]}
    try:
        get_client(cached=False).database.apply_migration(
            target_ref, query=sql, name=label or None, rollback=rollback or None, idempotency_key=idempotency_key
        )
    except errors.APIError:
        audit(user, "migrations.apply", project_ref=project_ref, success=False, detail=detail)
        raise
    _applied(ChangeApplied("migration", project_ref, target_ref, label or "unnamed", user))
    audit(user, "migrations.apply", project_ref=project_ref, detail=detail)


def rollback_latest(*, user: AbstractBaseUser | AnonymousUser, project_ref: str, target_ref: str, version: str) -> None:
    detail = {"target": target_ref, "version": version}
    try:
        get_client(cached=False).database.rollback_migrations(target_ref, gte=version)
    except errors.APIError:
        audit(user, "migrations.rollback", project_ref=project_ref, success=False, detail=detail)
        raise
    _applied(ChangeApplied("rollback", project_ref, target_ref, version, user))
    audit(user, "migrations.rollback", project_ref=project_ref, detail=detail)


def seed(*, user: AbstractBaseUser | AnonymousUser, project_ref: str, target_ref: str, sql: str) -> int:
    """The rows the seed returned."""
    try:
        rows = get_client(cached=False).database.query(target_ref, sql)
    except errors.APIError:
        audit(user, "migrations.seed", project_ref=project_ref, success=False, detail={"target": target_ref})
        raise
    _applied(ChangeApplied("seed", project_ref, target_ref, "seed", user))
    audit(user, "migrations.seed", project_ref=project_ref, detail={"target": target_ref})
    return len(rows)


def _applied(event: ChangeApplied) -> None:
    forget_cached_reads()  # pages must show the new schema
    hooks.after_change(event)
