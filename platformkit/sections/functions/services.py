"""Edge Functions from the dashboard: the list and one function's files and history, deploys
staged on disk and sent by a django-q2 task (streamed, never held in memory), settings, delete,
and a test-invoke made server-side so no key or token reaches the browser unless typed there."""

from __future__ import annotations

import io
import shutil
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from django.db import transaction
from django.utils import timezone

from platformkit.api import errors
from platformkit.api.types import EdgeFunction
from platformkit.conf import get_config
from platformkit.models import AuditEvent, Operation
from platformkit.services import audit, forget_cached_reads, get_client
from platformkit.tasks import poll

DEPLOY_TASK = "platformkit.sections.functions.services.deploy_task"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_SHOWN_BYTES = 200_000  # per file in the code view
TEXT_SUFFIXES = (
    ".ts",
    ".tsx",
    ".js",
    ".jsx",
    ".mjs",
    ".json",
    ".md",
    ".txt",
    ".html",
    ".css",
    ".sql",
    ".toml",
    ".yaml",
    ".yml",
)


class FunctionError(Exception):
    """Said on the page next to the form; nothing was sent."""


def upload_dir() -> Path:
    configured = get_config()["FUNCTION_UPLOAD_DIR"]
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "platformkit-function-uploads"


def invoke_url(ref: str, slug: str) -> str:
    return str(get_config()["FUNCTIONS_URL"]).format(
        ref=ref, slug=slug, api_url=str(get_config()["API_URL"]).rstrip("/")
    )


# Reading


@dataclass(frozen=True)
class SourceFile:
    path: str
    size: int
    text: str | None  # None: binary or too large to show


def files_of(bundle: bytes) -> list[SourceFile] | None:
    """The files of a deployed bundle, or None when it is not a zip (the hosted platform
    answers with an eszip, whose sources this view does not unpack)."""
    if not bundle.startswith(b"PK"):
        return None
    out = []
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            text = None
            if info.filename.endswith(TEXT_SUFFIXES) and info.file_size <= MAX_SHOWN_BYTES:
                text = archive.read(info).decode("utf-8", errors="replace")
            out.append(SourceFile(info.filename, info.file_size, text))
    return out


def history(project_ref: str, target_ref: str, slug: str) -> list[AuditEvent]:
    """Deploys and setting changes made through the dashboard, newest first (the API keeps no
    version history of its own)."""
    return [
        event
        for event in AuditEvent.objects.filter(project_ref=project_ref, action__startswith="functions.").order_by(
            "-created_at"
        )[:200]
        if event.detail.get("slug") == slug and event.detail.get("target") == target_ref
    ]


# Deploying


def stage(uploads: Iterable[tuple[str, Any]]) -> tuple[Path, list[str]]:
    """Write the uploaded files under a fresh folder (their relative paths checked) for the task."""
    folder = upload_dir() / uuid.uuid4().hex
    names, total = [], 0
    try:
        for relative, upload in uploads:
            path = _safe(relative)
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as handle:
                for chunk in upload.chunks():
                    total += len(chunk)
                    if total > MAX_UPLOAD_BYTES:
                        raise FunctionError(f"The upload is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
                    handle.write(chunk)
            names.append(path)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if not names:
        raise FunctionError("Choose the function's files (a folder or a .zip).")
    return folder, names


def _safe(relative: str) -> str:
    parts = [part for part in relative.replace("\\", "/").split("/") if part not in ("", ".")]
    if not parts or ".." in parts or relative.startswith("/"):
        raise FunctionError(f"A file path may not leave the folder: {relative}")
    return "/".join(parts)


def start_deploy(
    user: Any,
    project_ref: str,
    target_ref: str,
    slug: str,
    folder: Path,
    names: list[str],
    *,
    entrypoint: str,
    import_map: str | None,
    static_patterns: list[str],
    verify_jwt: bool,
) -> Operation:
    if entrypoint not in names and not (len(names) == 1 and names[0].lower().endswith(".zip")):
        shutil.rmtree(folder, ignore_errors=True)
        raise FunctionError(f"The entrypoint {entrypoint} is not among the chosen files.")
    with transaction.atomic():
        operation = Operation.objects.create(
            kind="functions.deploy",
            project_ref=project_ref,
            params={
                "target": target_ref,
                "slug": slug,
                "folder": str(folder),
                "files": names,
                "entrypoint_path": entrypoint,
                "import_map_path": import_map,
                "static_patterns": static_patterns,
                "verify_jwt": verify_jwt,
            },
            deadline=timezone.now() + timedelta(minutes=10),
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        audit(
            user,
            "functions.deploy_started",
            project_ref=project_ref,
            detail={"target": target_ref, "slug": slug, "operation": operation.pk, "files": len(names)},
        )
    from platformkit.tasks import enqueue

    transaction.on_commit(lambda: enqueue(DEPLOY_TASK, operation.pk))
    return operation


def deploy_task(operation_id: int) -> str:
    return poll(operation_id, DEPLOY_TASK, _deploy_once, on_end=_clean_up)


def _deploy_once(operation: Operation, client: Any) -> tuple[str, str] | None:
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


# Settings and delete


def update_settings(
    user: Any,
    project_ref: str,
    target_ref: str,
    slug: str,
    *,
    verify_jwt: bool,
    entrypoint_path: str,
    import_map_path: str | None,
) -> EdgeFunction:
    updated = get_client(cached=False).functions.update(
        target_ref,
        slug,
        verify_jwt=verify_jwt,
        entrypoint_path=entrypoint_path or None,
        import_map_path=import_map_path or None,
    )
    audit(
        user,
        "functions.settings",
        project_ref=project_ref,
        detail={
            "target": target_ref,
            "slug": slug,
            "verify_jwt": verify_jwt,
            "entrypoint_path": entrypoint_path,
            "import_map_path": import_map_path,
        },
    )
    forget_cached_reads()
    return updated


def delete(user: Any, project_ref: str, target_ref: str, slug: str, typed: str) -> None:
    if typed.strip() != slug:
        raise FunctionError(f"Type the function's slug, {slug}, to delete it.")
    get_client(cached=False).functions.delete(target_ref, slug)
    audit(user, "functions.delete", project_ref=project_ref, detail={"target": target_ref, "slug": slug})
    forget_cached_reads()


# Test invoke


@dataclass(frozen=True)
class InvokeResult:
    status: int | None
    headers: list[tuple[str, str]]
    body: str
    elapsed_ms: float
    error: str | None = None


FORBIDDEN_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


def parse_headers(text: str) -> dict[str, str]:
    headers = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or any(c in name for c in " \t\r\n"):
            raise FunctionError(f"Headers: line {number} is not 'Name: value'.")
        if name.strip().lower() in FORBIDDEN_HEADERS:
            raise FunctionError(f"Headers: {name.strip()} is set by the request itself.")
        headers[name.strip()] = value.strip()
    return headers


def anon_key(target_ref: str) -> str | None:
    for key in get_client().api_keys.list(target_ref):
        if key.name == "anon" and key.type == "legacy":
            return key.api_key
    return None


def test_invoke(
    target_ref: str, slug: str, *, method: str, headers_text: str, body: str, with_anon_key: bool
) -> InvokeResult:
    if method not in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        raise FunctionError("Choose a method.")
    headers = parse_headers(headers_text)
    if with_anon_key and not any(name.lower() == "authorization" for name in headers):
        key = anon_key(target_ref)
        if key:
            headers["Authorization"] = f"Bearer {key}"
            headers["apikey"] = key
    started = time.monotonic()
    try:
        response = httpx.request(
            method,
            invoke_url(target_ref, slug),
            headers=headers,
            content=body.encode() if body and method not in ("GET", "OPTIONS") else None,
            timeout=30.0,
        )
    except httpx.HTTPError as exc:
        return InvokeResult(
            None,
            [],
            "",
            (time.monotonic() - started) * 1000,
            f"The function could not be reached: {type(exc).__name__}",
        )
    text = response.content[:100_000].decode("utf-8", errors="replace")
    return InvokeResult(response.status_code, list(response.headers.items()), text, (time.monotonic() - started) * 1000)
