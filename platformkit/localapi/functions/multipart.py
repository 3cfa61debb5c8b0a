"""A function's files as the ``multipart/form-data`` answer of ``GET .../functions/{slug}/body``
that the CLI (``functions download --use-api``) and the MCP server (``get_edge_function``) read:
one ``file`` part per file, named by its absolute path in the deployment
(``/tmp/user_fn_<deployment>/source/<path>``, as upstream), after a ``metadata`` part whose
``entrypoint_path`` is the same file URL the function's record shows. The CLI places each file
by its path relative to the entrypoint's, so both must be absolute."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from .store import file_url


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")


def encode(ref: str, row: Mapping[str, Any], files: Mapping[str, bytes]) -> tuple[bytes, str]:
    """The body and its ``Content-Type`` (with the boundary)."""
    boundary = f"----platformkit-{uuid.uuid4().hex}"

    def url(path: str) -> str:
        return file_url(ref, row["id"], row["version"], path)

    metadata = json.dumps(
        {
            "entrypoint_path": url(row["entrypoint_path"]),
            "import_map_path": url(row["import_map_path"]) if row["import_map_path"] else None,
        }
    )
    chunks = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n'
        f"Content-Type: application/json\r\n\r\n{metadata}\r\n".encode()
    ]
    for path, content in sorted(files.items()):
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{_quoted(url(path).removeprefix("file://"))}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        chunks += [head.encode(), content, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
