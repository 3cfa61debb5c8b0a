"""Edge Functions from the dashboard: the list and one function's files and history, deploys
staged on disk and sent by a django-q2 task (streamed, never held in memory), settings, delete,
and a test-invoke made server-side so no key or token reaches the browser unless typed there."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from django.db import transaction
from django.utils import timezone

from platformkit.api.types import EdgeFunction
from platformkit.conf import get_config
from platformkit.core.audit import audit
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.operations import enqueue_on_commit
from platformkit.models import AuditEvent, Operation
from platformkit.sections.functions import tasks

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

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


def list_functions(target_ref: str) -> list[EdgeFunction]:
    return get_client().functions.list(target_ref)


def get_function(target_ref: str, slug: str) -> EdgeFunction:
    """Fresh (a page after a change must show it); ``NotFoundError`` when there is none."""
    return get_client(cached=False).functions.get(target_ref, slug)


def bundle(target_ref: str, slug: str) -> bytes:
    """The deployed bundle (see :func:`files_of`)."""
    return get_client(cached=False).functions.body(target_ref, slug)


def stage(uploads: Iterable[tuple[str, Any]]) -> tuple[Path, list[str]]:
    """Write the uploaded files under a fresh folder (their relative paths checked) for the task."""
    folder = upload_dir() / uuid.uuid4().hex
    names, total = [], 0
    try:
        for relative, upload in uploads:
            path = safe_path(relative)
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


def safe_path(relative: str) -> str:
    """``relative`` normalised (``a//./b`` is ``a/b``); a path leaving the folder is refused."""
    parts = [part for part in relative.replace("\\", "/").split("/") if part not in ("", ".")]
    if not parts or ".." in parts or relative.startswith("/"):
        raise FunctionError(f"A file path may not leave the folder: {relative}")
    return "/".join(parts)


def deploy(
    user: AbstractBaseUser | AnonymousUser,
    project_ref: str,
    target_ref: str,
    slug: str,
    files: Iterable[tuple[str, Any]],
    *,
    entrypoint: str,
    import_map: str | None,
    static_patterns: list[str],
    verify_jwt: bool,
    branch: str | None = None,
) -> Operation:
    """Stage ``files`` (each a folder-relative path and an upload, checked by the deploy form:
    the entrypoint is among them) and start the deploy task on them."""
    folder, staged = stage(files)
    return start_deploy(
        user,
        project_ref,
        target_ref,
        slug,
        folder,
        staged,
        entrypoint=entrypoint,
        import_map=import_map,
        static_patterns=static_patterns,
        verify_jwt=verify_jwt,
        branch=branch,
    )


def start_deploy(
    user: AbstractBaseUser | AnonymousUser,
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
    branch: str | None = None,
) -> Operation:
    with transaction.atomic():
        operation = Operation.objects.create(
            kind="functions.deploy",
            project_ref=project_ref,
            params={
                "target": target_ref,
                "branch": branch,  # the target's name, for the operation's title
                "slug": slug,
                "folder": str(folder),
                "files": names,
                "entrypoint_path": entrypoint,
                "import_map_path": import_map,
                "static_patterns": static_patterns,
                "verify_jwt": verify_jwt,
            },
            deadline=timezone.now() + timedelta(minutes=10),
            created_by_id=user.pk if user.is_authenticated else None,
        )
        audit(
            user,
            "functions.deploy_started",
            project_ref=project_ref,
            detail={"target": target_ref, "slug": slug, "operation": operation.pk, "files": len(names)},
        )
    enqueue_on_commit(tasks.DEPLOY_TASK, operation.pk)
    return operation


def failed_deploy(project_ref: str, operation_id: str) -> Operation | None:
    """The project's failed (or timed-out) deploy ``operation_id``, for the form to be sent again."""
    if not operation_id.isdigit():
        return None
    return (
        Operation.objects.filter(pk=int(operation_id), project_ref=project_ref, kind="functions.deploy")
        .exclude(status__in=[Operation.Status.SUCCEEDED, Operation.Status.PENDING, Operation.Status.RUNNING])
        .first()
    )


def deploy_form_of(operation: Operation) -> dict[str, Any]:
    """A deploy's inputs as the deploy form shows them (the files must be chosen again: a
    browser never lets a page fill a file input; their names are listed)."""
    params = operation.params
    return {
        "slug": params.get("slug", ""),
        "entrypoint_path": params.get("entrypoint_path", ""),
        "import_map_path": params.get("import_map_path") or "",
        "static_patterns": "\n".join(params.get("static_patterns") or []),
        "verify_jwt": bool(params.get("verify_jwt")),
        "files": list(params.get("files") or []),
    }


# Settings and delete


def update_settings(
    user: AbstractBaseUser | AnonymousUser,
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


def delete(user: AbstractBaseUser | AnonymousUser, project_ref: str, target_ref: str, slug: str) -> None:
    """(The delete form has checked the slug was typed.)"""
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


def anon_key(target_ref: str) -> str | None:
    for key in get_client().api_keys.list(target_ref):
        if key.name == "anon" and key.type == "legacy":
            return key.api_key
    return None


def test_invoke(
    target_ref: str, slug: str, *, method: str, headers: dict[str, str], body: str, with_anon_key: bool
) -> InvokeResult:
    """Call the function from the server (``method`` and ``headers`` checked by the invoke form);
    with ``with_anon_key`` and no Authorization header, as the project's anon key."""
    headers = dict(headers)
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


def pretty(body: str) -> str:
    """A JSON body indented for reading; any other body as it is."""
    with contextlib.suppress(ValueError):
        return json.dumps(json.loads(body), indent=2)
    return body
