"""Settings → Secrets upstream: list the names (the API returns digests, never values), set
several at once, delete; each change audited (names only, never a value)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from platformkit.api import ManagementClient, errors
from platformkit.api.types import Secret
from platformkit.core import upstream
from platformkit.core.audit import audit
from platformkit.core.client import forget_cached_reads, get_client

User = AbstractBaseUser | AnonymousUser


def list_secrets(target_ref: str, *, client: ManagementClient | None = None) -> list[Secret]:
    """``client``: a page panel's, bounded in time."""
    return (client or get_client()).secrets.list(target_ref)


def overwritten(target_ref: str, names: set[str]) -> list[str]:
    """The names that exist already, sorted ([] when the list cannot be read: the API decides)."""
    existing = upstream.attempt(lambda: list_secrets(target_ref)).value or []
    return sorted({secret.name for secret in existing} & names)


def set_secrets(
    user: User, project_ref: str, target_ref: str, pairs: dict[str, str], *, overwritten: list[str]
) -> None:
    """Create or replace ``pairs``; audited either way (a failure re-raised)."""
    try:
        get_client(cached=False).secrets.create(target_ref, pairs)
    except errors.APIError:
        audit(
            user,
            "settings.secrets.set",
            project_ref=project_ref,
            success=False,
            detail={"target": target_ref, "names": sorted(pairs)},
        )
        raise
    forget_cached_reads()
    audit(
        user,
        "settings.secrets.set",
        project_ref=project_ref,
        detail={"target": target_ref, "names": sorted(pairs), "overwritten": overwritten},
    )


def delete_secrets(user: User, project_ref: str, target_ref: str, names: list[str]) -> None:
    get_client(cached=False).secrets.delete(target_ref, names)
    forget_cached_reads()
    audit(
        user, "settings.secrets.delete", project_ref=project_ref, detail={"target": target_ref, "names": sorted(names)}
    )
