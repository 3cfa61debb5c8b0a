"""django-q2 task of the functions section: send a staged deploy (a step of
:func:`platformkit.core.operations.poll`, so transient failures are retried), record it in the
audit trail, and remove the staged upload however it ends."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from platformkit.api import ManagementClient, errors
from platformkit.api.types import EdgeFunction
from platformkit.core.audit import audit
from platformkit.core.client import forget_cached_reads
from platformkit.core.operations import poll
from platformkit.models import Operation

DEPLOY_TASK = "platformkit.sections.functions.tasks.deploy_task"


def deploy_task(operation_id: int) -> str:
    return poll(operation_id, DEPLOY_TASK, _deploy_once, on_end=_clean_up)


def _deploy_once(operation: Operation, client: ManagementClient) -> tuple[str, str] | None:
    params = operation.params
    folder = Path(params["folder"])
    try:
        deployed: EdgeFunction = client.functions.deploy(
            params["target"],
            params["slug"],
            [(name, folder / name) for name in params["files"]],
            entrypoint_path=params["entrypoint_path"],
            import_map_path=params.get("import_map_path"),
            static_patterns=params.get("static_patterns") or None,
            verify_jwt=params.get("verify_jwt"),
        )
    except errors.APIError as exc:
        if exc.status is None or exc.status == 429 or exc.status >= 500 or isinstance(exc, errors.NotFoundError):
            raise  # worth another try (the task records it), or the project is gone (the task says so)
        message = getattr(exc, "message", None) or str(exc)
        _record(operation, success=False, detail={"error": message})
        return Operation.Status.FAILED, f"The API refused the deploy: {message}"
    operation.progress = {**operation.progress, "version": deployed.version, "status": deployed.status}
    _record(operation, success=True, detail={"version": deployed.version, "ezbr_sha256": deployed.ezbr_sha256})
    return Operation.Status.SUCCEEDED, f"Version {deployed.version} of {deployed.slug} is {deployed.status}."


def _record(operation: Operation, *, success: bool, detail: Mapping[str, Any]) -> None:
    audit(
        operation.created_by,
        "functions.deploy",
        project_ref=operation.project_ref,
        success=success,
        detail={
            "target": operation.params["target"],
            "slug": operation.params["slug"],
            "operation": operation.pk,
            **detail,
        },
    )
    forget_cached_reads()


def _clean_up(operation: Operation) -> None:
    shutil.rmtree(operation.params.get("folder", ""), ignore_errors=True)  # the upload is sent or abandoned
