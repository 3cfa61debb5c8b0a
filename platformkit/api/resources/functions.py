"""Tag "Edge Functions": list, read, deploy (multipart, streamed from disk), create and update
(JSON), delete, bulk update, and the deployed bundle."""

from __future__ import annotations

import builtins
import json
import mimetypes
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from platformkit.api._core import Call, Upload, UploadFile
from platformkit.api.types import EdgeFunction

from ._base import Resource, segment

# One file of a deploy: a path on disk (sent under its base name), or (name in the bundle, path or bytes).
DeployFile = str | os.PathLike[str] | tuple[str, "str | os.PathLike[str] | bytes"]


def _upload_file(item: DeployFile) -> UploadFile:
    name, source = (item[0], item[1]) if isinstance(item, tuple) else (os.path.basename(os.fspath(item)), item)
    content = source if isinstance(source, bytes) else os.fspath(source)
    kind = mimetypes.guess_type(name)[0] or (
        "application/typescript" if name.endswith((".ts", ".tsx")) else "application/octet-stream"
    )
    return UploadFile("file", name, content, kind)


def _without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class EdgeFunctions(Resource):
    def list(self, ref: str) -> list[EdgeFunction]:
        """GET /v1/projects/{ref}/functions"""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/functions", cast=EdgeFunction.list_from_json))

    def get(self, ref: str, slug: str) -> EdgeFunction:
        """GET /v1/projects/{ref}/functions/{function_slug}"""
        return self._run(
            Call("GET", f"/v1/projects/{segment(ref)}/functions/{segment(slug)}", cast=EdgeFunction.from_json)
        )

    def body(self, ref: str, slug: str) -> bytes:
        """GET .../functions/{function_slug}/body: the deployed bundle as stored (bytes)."""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/functions/{segment(slug)}/body", raw=True))

    def deploy(
        self,
        ref: str,
        slug: str,
        files: Sequence[DeployFile],
        *,
        entrypoint_path: str,
        import_map_path: str | None = None,
        static_patterns: Iterable[str] | None = None,
        verify_jwt: bool | None = None,
        name: str | None = None,
        bundle_only: bool | None = None,
    ) -> EdgeFunction:
        """POST /v1/projects/{ref}/functions/deploy?slug=...: the files (or one zip) and the
        ``metadata`` JSON as multipart/form-data. Files on disk are streamed, not loaded."""
        metadata = _without_none(
            {
                "entrypoint_path": entrypoint_path,
                "import_map_path": import_map_path,
                "static_patterns": list(static_patterns) if static_patterns is not None else None,
                "verify_jwt": verify_jwt,
                "name": name,
            }
        )
        upload = Upload({"metadata": json.dumps(metadata)}, tuple(_upload_file(item) for item in files))
        params = {"slug": slug, "bundleOnly": None if bundle_only is None else str(bundle_only).lower()}
        return self._run(
            Call(
                "POST",
                f"/v1/projects/{segment(ref)}/functions/deploy",
                params=params,
                upload=upload,
                cast=EdgeFunction.from_json,
            )
        )

    def create(self, ref: str, *, slug: str, name: str, body: str, verify_jwt: bool | None = None) -> EdgeFunction:
        """POST /v1/projects/{ref}/functions with ``V1CreateFunctionBody`` (the source as text)."""
        payload = _without_none({"slug": slug, "name": name, "body": body, "verify_jwt": verify_jwt})
        return self._run(
            Call("POST", f"/v1/projects/{segment(ref)}/functions", json=payload, cast=EdgeFunction.from_json)
        )

    def update(
        self,
        ref: str,
        slug: str,
        *,
        name: str | None = None,
        body: str | None = None,
        verify_jwt: bool | None = None,
        entrypoint_path: str | None = None,
        import_map_path: str | None = None,
    ) -> EdgeFunction:
        """PATCH /v1/projects/{ref}/functions/{function_slug}: settings as query parameters
        (where the document puts the paths), name/body/verify_jwt as ``V1UpdateFunctionBody``."""
        params = _without_none({"entrypoint_path": entrypoint_path, "import_map_path": import_map_path})
        payload = _without_none({"name": name, "body": body, "verify_jwt": verify_jwt})
        return self._run(
            Call(
                "PATCH",
                f"/v1/projects/{segment(ref)}/functions/{segment(slug)}",
                params=params or None,
                json=payload,
                cast=EdgeFunction.from_json,
            )
        )

    def delete(self, ref: str, slug: str) -> None:
        """DELETE /v1/projects/{ref}/functions/{function_slug}"""
        return self._run(Call[None]("DELETE", f"/v1/projects/{segment(ref)}/functions/{segment(slug)}"))

    def bulk_update(self, ref: str, functions: Sequence[Mapping[str, Any]]) -> builtins.list[EdgeFunction]:
        """PUT /v1/projects/{ref}/functions with ``BulkUpdateFunctionBody`` (id, slug, name, status
        and version required)."""
        return self._run(
            Call(
                "PUT",
                f"/v1/projects/{segment(ref)}/functions",
                json=[dict(item) for item in functions],
                cast=lambda data: EdgeFunction.list_from_json(data["functions"]),
            )
        )
