"""django-q2 task: wait until the service is ACTIVE_HEALTHY, then send the config change the
operation holds (encrypted), and forget it. Same contract as :mod:`platformkit.tasks`."""

from __future__ import annotations

import json
from typing import Any

from platformkit import crypto
from platformkit.api import errors
from platformkit.core.operations import HEALTHY, poll
from platformkit.models import Operation
from platformkit.sections.settings.config.services import HEALTH_SERVICE, TASK


def apply_when_healthy(operation_id: int) -> str:
    return poll(operation_id, TASK, _send_when_healthy, on_end=_forget_payload)


def _send_when_healthy(operation: Operation, client: Any) -> tuple[str, str] | None:
    target, service = operation.params["target"], operation.params["service"]
    name = HEALTH_SERVICE[service]
    status = {item.name: item.status for item in client.projects.health(target, services=[name])}.get(name)
    if status != HEALTHY:
        operation.progress = {**operation.progress, "services": {name: {"status": status}}}
        operation.message = f"Waiting for the {service} service to be ACTIVE_HEALTHY (now {status})."
        operation.save(update_fields=["progress", "message", "updated_at"])
        return None
    try:
        client.config.update(target, service, json.loads(crypto.decrypt(operation.payload_ciphertext)))
    except errors.ValidationError as exc:
        return Operation.Status.FAILED, f"The API refused the change: {exc.message}"
    return Operation.Status.SUCCEEDED, ""  # the kind's own result message says it (core.sections)


def _forget_payload(operation: Operation) -> None:
    operation.payload_ciphertext = ""  # sent or abandoned: nothing secret stays on the row
