"""Settings → API keys upstream: list (masked), reveal one (audited), delete one (audited);
and the seed's API-key flow: use ``publishable`` and ``secret`` keys, creating both when the
project has neither (the secret one with the ``service_role`` JWT template)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from platformkit.api import ManagementClient
from platformkit.api.types import ApiKey
from platformkit.core.audit import audit
from platformkit.core.client import forget_cached_reads, get_client

DEFAULT_NAME = "default"

User = AbstractBaseUser | AnonymousUser


def list_keys(target_ref: str, *, client: ManagementClient | None = None) -> list[ApiKey]:
    """``client``: a page panel's, bounded in time."""
    return (client or get_client()).api_keys.list(target_ref)


def missing_new_keys(keys: list[ApiKey]) -> list[str]:
    present = {key.type for key in keys}
    return [kind for kind in ("publishable", "secret") if kind not in present]


def enable_new_keys(ref: str) -> list[str]:
    """Create whichever of the two is missing; returns the types created."""
    client = get_client(cached=False)
    missing = missing_new_keys(client.api_keys.list(ref))
    for kind in missing:
        template = {"role": "service_role"} if kind == "secret" else None
        client.api_keys.create(ref, type=kind, name=DEFAULT_NAME, secret_jwt_template=template)
    forget_cached_reads()
    return missing


def enable(user: User, project_ref: str, target_ref: str) -> list[str]:
    """:func:`enable_new_keys`, audited."""
    created = enable_new_keys(target_ref)
    audit(user, "settings.api_keys.enable", project_ref=project_ref, detail={"target": target_ref, "created": created})
    return created


def reveal(user: User, project_ref: str, target_ref: str, key_id: str) -> ApiKey | None:
    """The key with its secret value (None: no such key); the reveal is audited (never the value)."""
    keys = get_client(cached=False).api_keys.list(target_ref, reveal=True)
    key = next((k for k in keys if k.id == key_id), None)
    if key is not None:
        audit(
            user,
            "settings.api_keys.reveal",
            project_ref=project_ref,
            detail={"target": target_ref, "key": key.name, "type": key.type},
        )
    return key


def delete(user: User, project_ref: str, target_ref: str, key_id: str, *, was_compromised: bool) -> ApiKey:
    key = get_client(cached=False).api_keys.delete(target_ref, key_id, was_compromised=was_compromised)
    forget_cached_reads()
    audit(
        user,
        "settings.api_keys.delete",
        project_ref=project_ref,
        detail={"target": target_ref, "key": key.name, "type": key.type},
    )
    return key
