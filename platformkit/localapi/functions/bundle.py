"""A function's files as a deploy uploads them (one zip, or individual files under relative
paths), checked as a runtime would need them: safe paths only, the entrypoint present, the
import map parseable, the whole within the size limit. Stored as a normalized zip whose SHA-256
is the version's checksum."""

from __future__ import annotations

import hashlib
import io
import lzma
import posixpath
import stat
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from platformkit.localapi import jsondata
from platformkit.localapi.errors import Problem, require

MAX_BUNDLE_BYTES = 20 * 1024 * 1024  # the hosted platform's limit for a function bundle
MAX_FILES = 1000


@dataclass(frozen=True)
class Bundle:
    files: dict[str, bytes]  # relative path -> content
    entrypoint_path: str
    import_map_path: str | None
    static_patterns: list[str]

    def as_zip(self) -> bytes:
        """Deterministic: same files, same bytes (so the checksum says whether code changed)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(self.files):
                info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                archive.writestr(info, self.files[path])
        return buffer.getvalue()

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.as_zip()).hexdigest()

    @property
    def size(self) -> int:
        return sum(len(content) for content in self.files.values())


def safe_path(name: str) -> str:
    """A bundle-relative POSIX path, or a 400 saying why not."""
    require("\x00" not in name and name.strip() != "", f"Bad file name {name!r}")
    raw = name.replace("\\", "/")
    require(
        not raw.startswith("/") and not (len(raw) > 1 and raw[1] == ":"),
        f"Absolute paths are not allowed in a bundle: {name}",
    )
    parts = [part for part in raw.split("/") if part not in ("", ".")]
    require(".." not in parts, f"Paths may not leave the bundle ('..'): {name}")
    require(bool(parts), f"Bad file name {name!r}")
    return posixpath.join(*parts)


def _read_limited(handle: IO[bytes], budget: int, name: str) -> bytes:
    content = handle.read(budget + 1)
    if len(content) > budget:
        raise Problem(413, f"The bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB (at {name})")
    return content


# What zipfile raises for archives it cannot read: a broken or lying header (BadZipFile, a CRC
# mismatch, EOFError, OSError), an unsupported compression method (NotImplementedError: e.g.
# WinZip AES, method 99), an encrypted entry (RuntimeError), compressed data that does not
# decompress (zlib.error, lzma.LZMAError, and ValueError/OSError from bz2).
UNREADABLE = (
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
    IndexError,  # an entry with an empty name (zipfile's is_dir() reads its last character)
    zlib.error,
    lzma.LZMAError,
)


def from_zip(handle: BinaryIO) -> dict[str, bytes]:
    try:
        return _unzip(handle)
    except Problem:
        raise
    except UNREADABLE as exc:
        raise Problem(400, f"The uploaded .zip cannot be read: {exc}") from None


def _unzip(handle: BinaryIO) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(handle)
    except zipfile.BadZipFile:
        raise Problem(400, "The uploaded .zip is not a valid zip archive") from None
    files: dict[str, bytes] = {}
    budget = MAX_BUNDLE_BYTES
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        require(len(entries) <= MAX_FILES, f"A bundle may hold at most {MAX_FILES} files")
        for info in entries:
            path = safe_path(info.filename)
            mode = info.external_attr >> 16
            require(not stat.S_ISLNK(mode), f"Symbolic links are not allowed in a bundle: {info.filename}")
            if info.file_size > budget:  # checked before inflating: a zip bomb never expands
                raise Problem(
                    413, f"The bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB (at {info.filename})"
                )
            with archive.open(info) as member:
                files[path] = _read_limited(member, budget, info.filename)
            budget -= len(files[path])
    return files


def from_upload(uploads: Iterable[tuple[str, BinaryIO]]) -> dict[str, bytes]:
    """``(filename, stream)`` pairs: a single ``.zip`` is unpacked; other files keep their paths."""
    uploads = list(uploads)
    require(bool(uploads), "Upload the function's files (the 'file' field), or one .zip")
    if len(uploads) == 1 and uploads[0][0].lower().endswith(".zip"):
        return from_zip(uploads[0][1])
    require(len(uploads) <= MAX_FILES, f"A bundle may hold at most {MAX_FILES} files")
    files: dict[str, bytes] = {}
    budget = MAX_BUNDLE_BYTES
    for name, stream in uploads:
        path = safe_path(name)
        require(path not in files, f"The file {path} was uploaded twice")
        files[path] = _read_limited(stream, budget, name)
        budget -= len(files[path])
    return files


def _common_root(paths: Iterable[str], entrypoint: str) -> str:
    """Uploads from the CLI carry ``supabase/functions/<slug>/...``: the entrypoint is given
    relative to the function's folder, so find the folder prefix that makes it exist."""
    for path in paths:
        if path == entrypoint or path.endswith("/" + entrypoint):
            return path[: len(path) - len(entrypoint)]
    return ""


def build(files: Mapping[str, bytes], metadata: Mapping[str, Any]) -> Bundle:
    entry = metadata.get("entrypoint_path")
    require(isinstance(entry, str) and entry.strip() != "", "metadata.entrypoint_path is required")
    entrypoint = safe_path(
        str(entry).removeprefix("file://").lstrip("/") if str(entry).startswith("file://") else str(entry)
    )
    root = _common_root(files, entrypoint)
    if root:
        files = {path[len(root) :]: content for path, content in files.items() if path.startswith(root)}
    require(
        entrypoint in files,
        f"The entrypoint {entrypoint} is not among the uploaded files ({', '.join(sorted(files)[:10])})",
    )
    import_map = metadata.get("import_map_path")
    import_map_path = None
    if import_map:
        import_map_path = safe_path(str(import_map))
        require(import_map_path in files, f"The import map {import_map_path} is not among the uploaded files")
        parsed = jsondata.parse(files[import_map_path], f"The import map {import_map_path}")
        require(
            isinstance(parsed, dict)
            and isinstance(parsed.get("imports", {}), dict)
            and isinstance(parsed.get("scopes", {}), dict),
            f"The import map {import_map_path} must be an object with 'imports' (and optionally 'scopes') objects",
        )
    patterns = metadata.get("static_patterns") or []
    require(
        isinstance(patterns, list) and all(isinstance(p, str) for p in patterns),
        "metadata.static_patterns must be a list of strings",
    )
    verify = metadata.get("verify_jwt")
    require(verify is None or isinstance(verify, bool), "metadata.verify_jwt must be a boolean")
    return Bundle(dict(files), entrypoint, import_map_path, list(patterns))
