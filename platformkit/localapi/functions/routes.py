"""Routes of the OpenAPI "Edge Functions" operations, and the invoke URL
(``/project/<ref>/functions/v1/<slug>``: the local stand-in for ``https://<ref>.supabase.co/functions/v1/<slug>``)."""

from __future__ import annotations

import io
from email import policy
from email.parser import BytesParser
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from platformkit.localapi import jsondata
from platformkit.localapi.errors import Problem, require
from platformkit.localapi.views import File, answer, backend_for, body, endpoint, query

from . import multipart as multipart_body
from .bundle import MAX_BUNDLE_BYTES
from .headers import HARDENING, forwarded, passed

MAX_REQUEST_BYTES = MAX_BUNDLE_BYTES + 2 * 1024 * 1024  # the bundle plus multipart framing and metadata


def _raw_body(request: HttpRequest, limit: int) -> bytes:
    """Read the body ourselves: Django's upload parsing would drop the folders from file names,
    which a bundle's paths need."""
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > limit:
        raise Problem(413, f"The bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB")
    data = request.read(limit + 1)
    if len(data) > limit:
        raise Problem(413, f"The bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB")
    return data


def multipart(request: HttpRequest) -> tuple[list[tuple[str, Any]], str | None]:
    content_type = request.META.get("CONTENT_TYPE", "")
    require(
        content_type.startswith("multipart/form-data"), "Send multipart/form-data: 'file' parts and a 'metadata' part"
    )
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + _raw_body(request, MAX_REQUEST_BYTES)
    )
    files: list[tuple[str, Any]] = []
    metadata: str | None = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        decoded = part.get_payload(decode=True)  # the part's bytes (None when it has none)
        payload = decoded if isinstance(decoded, bytes) else b""
        if name == "metadata":
            metadata = payload.decode("utf-8", errors="replace")
        elif name == "file":
            files.append((part.get_filename() or "", io.BytesIO(payload)))
    return files, metadata


def _functions(api, ref):
    api.projects.require(ref)
    return api.functions


def _create(api, request: HttpRequest, ref: str):
    if request.META.get("CONTENT_TYPE", "").startswith("application/vnd.denoland.eszip"):
        raise Problem(
            400,
            "eszip bundles are not supported by the local API: deploy the source files with POST .../functions/deploy",
        )
    return 201, _functions(api, ref).create(ref, body(request))


def _update(api, request: HttpRequest, ref: str, function_slug: str):
    if request.META.get("CONTENT_TYPE", "").startswith("application/vnd.denoland.eszip"):
        raise Problem(
            400,
            "eszip bundles are not supported by the local API: deploy the source files with POST .../functions/deploy",
        )
    return 200, _functions(api, ref).update(ref, function_slug, query(request), body(request) if request.body else {})


def _bulk(api, request: HttpRequest, ref: str):
    items = jsondata.parse(request.body or b"null")
    return 200, _functions(api, ref).bulk_update(ref, items)


class _Multipart(File):
    def __new__(cls, content: bytes, content_type: str) -> _Multipart:
        made = super().__new__(cls, content)
        made.content_type = content_type
        return made


def _body(api, request: HttpRequest, ref: str, function_slug: str):
    """The bundle as a zip, or as multipart/form-data when the caller accepts that (the official
    clients ask for it; the document declares neither: docs/client-compatibility.md)."""
    store = _functions(api, ref).store
    if "multipart/form-data" in request.headers.get("Accept", ""):
        return 200, _Multipart(*multipart_body.encode(ref, *store.files(ref, function_slug)))
    return 200, File(store.body(ref, function_slug))


urlpatterns = [
    path(
        "v1/projects/<str:ref>/functions",
        endpoint(
            get=lambda api, request, ref: (200, _functions(api, ref).list(ref)),
            post=_create,
            put=_bulk,
        ),
    ),
    path(
        "v1/projects/<str:ref>/functions/deploy",
        endpoint(
            post=lambda api, request, ref: (201, _functions(api, ref).deploy(ref, query(request), *multipart(request))),
        ),
    ),
    path(
        "v1/projects/<str:ref>/functions/<str:function_slug>",
        endpoint(
            get=lambda api, request, ref, function_slug: (200, _functions(api, ref).get(ref, function_slug)),
            patch=_update,
            delete=lambda api, request, ref, function_slug: (
                200,
                _functions(api, ref).store.delete(ref, function_slug),
            ),
        ),
    ),
    path("v1/projects/<str:ref>/functions/<str:function_slug>/body", endpoint(get=_body)),
]


@csrf_exempt
def invoke(request: HttpRequest, ref: str, slug: str, rest: str = "") -> HttpResponse:
    """A function's public URL: no Management API token; ``verify_jwt`` decides."""
    api = backend_for(request)
    try:
        functions = _functions(api, ref)
        payload = _raw_body(request, 6 * 1024 * 1024)  # the hosted request-size limit
        base = request.build_absolute_uri(f"/project/{ref}")
        result = functions.invoke(
            ref,
            slug,
            {
                "method": request.method,
                "url": request.build_absolute_uri(),
                "pathname": request.path,
                "host": request.get_host(),
                "headers": forwarded(request.headers, api.config.token),
                "body": payload,
                "remote_addr": request.META.get("REMOTE_ADDR", ""),
                "server_port": request.META.get("SERVER_PORT", ""),
                "base_url": base,
            },
        )
    except Problem as problem:
        return answer(problem.status, {"message": problem.message})
    response = HttpResponse(result.body, status=result.status)
    for key, value in passed(result.headers):  # no cookies or hop-by-hop headers on this site
        response[key] = value
    for key, value in HARDENING.items():
        response[key] = value
    response["x-sb-execution-id"] = result.execution_id
    return response


invoke_urlpatterns = [
    re_path(r"^project/(?P<ref>[a-z]{20})/functions/v1/(?P<slug>[A-Za-z][A-Za-z0-9_-]*)(?:/(?P<rest>.*))?$", invoke)
]
