"""Schema changes and seed data from the dashboard: the history and one migration of a target,
applying a migration, rolling back the latest, seeding; each recorded in the audit trail, and
each success runs the after-change hooks (``platformkit.core.hooks``: the restore points section
takes a point)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pglast

from platformkit.api import errors
from platformkit.api.types import Migration
from platformkit.core import hooks
from platformkit.core.audit import audit
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.destructive import Preview, restore_point_first
from platformkit.core.hooks import ChangeApplied
from platformkit.core.targets import Target

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

logger = logging.getLogger(__name__)


def list_migrations(target_ref: str) -> list[Migration]:
    return get_client(cached=False).database.list_migrations(target_ref)


def get_migration(target_ref: str, version: str) -> Migration:
    return get_client(cached=False).database.get_migration(target_ref, version)


def form_key(user: AbstractBaseUser | AnonymousUser, key: str | None) -> str | None:
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


class NoRollback(Exception):
    """The migration to roll back has no rollback SQL recorded: nothing to run."""


def rollback_preview(target_ref: str, history: list[Migration]) -> Preview | None:
    """What rolling back the latest migration runs, or None when it has no rollback SQL (then
    no rollback is offered). One extra read per page with a history."""
    if not history:
        return None
    latest = history[-1]
    try:
        recorded = get_migration(target_ref, latest.version)
    except errors.APIError:
        return None
    if not recorded.rollback:
        return None
    return Preview(
        "migrations.rollback",
        f"Roll back {latest.version} {latest.name or ''}".strip(),
        statements=";\n".join(statement.strip().rstrip(";") for statement in recorded.rollback) + ";",
        note="Runs in one transaction; the migration leaves the history.",
    )


def rollback_latest(*, user: AbstractBaseUser | AnonymousUser, target: Target, version: str) -> Any | None:
    """Roll back ``version`` (and later ones) with its recorded rollback SQL, a restore point
    taken first (``core.destructive``); that point's operation, or None."""
    detail = {"target": target.ref, "version": version}
    if not get_migration(target.ref, version).rollback:
        raise NoRollback(f"Migration {version} was saved without rollback SQL: there is nothing to roll back with.")
    taken = restore_point_first(user, "migrations.rollback", target, f"rollback of {version}")
    try:
        get_client(cached=False).database.rollback_migrations(target.ref, gte=version)
    except errors.APIError:
        audit(user, "migrations.rollback", project_ref=target.project_ref, success=False, detail=detail)
        raise
    _applied(ChangeApplied("rollback", target.project_ref, target.ref, version, user))
    audit(user, "migrations.rollback", project_ref=target.project_ref, detail=detail)
    return taken


def seed(*, user: AbstractBaseUser | AnonymousUser, target: Target, sql: str) -> Any | None:
    """Run the seed's inserts, a restore point taken first; that point's operation, or None."""
    taken = restore_point_first(user, "migrations.seed", target, "seed data")
    try:
        get_client(cached=False).database.query(target.ref, sql)
    except errors.APIError:
        audit(user, "migrations.seed", project_ref=target.project_ref, success=False, detail={"target": target.ref})
        raise
    _applied(ChangeApplied("seed", target.project_ref, target.ref, "seed", user))
    audit(user, "migrations.seed", project_ref=target.project_ref, detail={"target": target.ref})
    return taken


def statement_count(sql: str) -> int | None:
    """How many statements ``sql`` holds (the seed's confirmation: the API answers with rows, not
    counts); None when it cannot be parsed here."""
    try:
        return len(pglast.parse_sql(sql))
    except pglast.parser.ParseError:
        return None


def _applied(event: ChangeApplied) -> None:
    forget_cached_reads()  # pages must show the new schema
    hooks.after_change(event)
