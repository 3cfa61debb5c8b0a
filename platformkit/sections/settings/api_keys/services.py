"""The seed's API-key flow: use ``publishable`` and ``secret`` keys, creating both when the
project has neither (the secret one with the ``service_role`` JWT template)."""

from __future__ import annotations

from platformkit.api.types import ApiKey
from platformkit.core.client import forget_cached_reads, get_client

DEFAULT_NAME = "default"


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
