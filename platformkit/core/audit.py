"""The audit trail: every mutating action, who did it (a user, or an embed session's
end-user), on which project, and how it ended."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from platformkit.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest


def actor_label(user: AbstractBaseUser | AnonymousUser | None) -> str:
    embed_actor = getattr(user, "platformkit_actor", None)  # an embed session's end-user
    if embed_actor:
        return str(embed_actor)
    if user is None or not user.is_authenticated:
        return "anonymous"
    return user.get_username()


def audit(
    user: AbstractBaseUser | AnonymousUser | None,
    action: str,
    *,
    project_ref: str = "",
    success: bool = True,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one mutating action. ``detail`` must never carry a secret."""
    return AuditEvent.objects.create(
        actor_id=user.pk if user is not None and user.is_authenticated else None,
        actor_label=actor_label(user),
        action=action,
        project_ref=project_ref,
        outcome=AuditEvent.Outcome.SUCCESS if success else AuditEvent.Outcome.FAILURE,
        detail=detail or {},
    )


def audit_request(
    request: HttpRequest,
    action: str,
    *,
    project_ref: str = "",
    success: bool = True,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """:func:`audit` for a view: the actor is whoever the request acts for (a user, or an
    embed session's end-user). Views call this, never :func:`audit` with ``request.user``."""
    return audit(request.user, action, project_ref=project_ref, success=success, detail=detail)
