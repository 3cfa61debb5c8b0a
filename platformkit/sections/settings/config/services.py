"""Applying a reviewed service-config change: Data API, Storage and Realtime at once; Auth
through a task that first waits for the auth service to be ACTIVE_HEALTHY (the seed's advice),
with the change kept encrypted on the operation until it is sent."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from platformkit import crypto
from platformkit.api import ManagementClient
from platformkit.conf import get_config
from platformkit.core.audit import audit
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.operations import enqueue_on_commit
from platformkit.models import Operation
from platformkit.sections.settings.config.fields import Change, Field, base_values, check_unchanged, request_body, seal

TASK = "platformkit.sections.settings.config.tasks.apply_when_healthy"
HEALTH_SERVICE = {"auth": "auth", "postgrest": "rest", "storage": "storage", "realtime": "realtime"}


def current(
    target_ref: str, service: str, *, fresh: bool = False, client: ManagementClient | None = None
) -> dict[str, Any]:
    """The service's configuration (``fresh``: past the read cache, as a review must be;
    ``client``: a page panel's, bounded in time)."""
    return (client or get_client(cached=not fresh)).config.get(target_ref, service)


def seal_review(
    *, target_ref: str, service: str, fields: list[Field], body: dict[str, Any], changes: list[Change], actor: str
) -> str:
    """The reviewed change for its confirmation: the whole request body and the values it was
    reviewed against, encrypted (secret fields never reach the page)."""
    return seal(
        ref=target_ref, service=service, body=request_body(body, fields), base=base_values(changes), actor=actor
    )


def apply(
    user: Any,
    ref: str,
    target_ref: str,
    service: str,
    body: dict[str, Any],
    base: dict[str, Any],
    *,
    branch: str | None = None,
) -> Operation | None:
    """Send ``body`` unless the reviewed fields moved meanwhile (:class:`ConfigConflict`).
    Returns the operation when the change waits for the service (Auth), else None."""
    check_unchanged(get_client(cached=False).config.get(target_ref, service), base)
    detail = {"target": target_ref, "service": service, "fields": sorted(base)}
    if service != "auth":
        try:
            get_client(cached=False).config.update(target_ref, service, body)
        except Exception as exc:
            audit(
                user, f"settings.config.{service}", project_ref=ref, success=False, detail={**detail, "error": str(exc)}
            )
            raise
        audit(user, f"settings.config.{service}", project_ref=ref, detail=detail)
        forget_cached_reads()
        return None
    with transaction.atomic():
        operation = Operation.objects.create(
            kind=f"settings.config.{service}",
            project_ref=ref,
            # ``branch``: the target's name, for the operation's title ("... on branch dev").
            params={"target": target_ref, "branch": branch, "service": service, "fields": sorted(base)},
            payload_ciphertext=crypto.encrypt(json.dumps(body)),
            deadline=timezone.now() + timedelta(seconds=get_config()["HEALTH_POLL_DEADLINE"]),
            created_by=user if user is not None and getattr(user, "is_authenticated", False) else None,
        )
        audit(user, f"settings.config.{service}", project_ref=ref, detail={**detail, "operation": operation.pk})
    enqueue_on_commit(TASK, operation.pk)
    return operation
