"""Connect page: connection strings (masked; one audited reveal), the API URL and publishable
key, the TypeScript types (and their download)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from platformkit.access import project_view, request_access
from platformkit.core import upstream
from platformkit.core.client import parallel
from platformkit.core.post_only import post_form
from platformkit.core.refusals import refused
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.connect import services
from platformkit.sections.connect.forms import DEFAULT_SCHEMAS, RevealForm, TypesQuery

SECTION = "connect"
TEMPLATE = "platformkit/connect/index.html"


def _page(
    request: HttpRequest, ref: str, *, status: int = 200, password: str | None = None, **extra: Any
) -> HttpResponse:
    target = request_target(request)
    query = TypesQuery(request.GET)
    schemas = query.cleaned_data["schemas"] if query.is_valid() else DEFAULT_SCHEMAS
    found, pooled, key, types = parallel(
        lambda: services.project(target.ref),
        lambda: services.pooler(target.ref),
        lambda: services.publishable_key(target.ref),
        lambda: services.typescript_types(target.ref, schemas),
    )
    project, pooler, publishable, typescript = (upstream.from_result(r) for r in (found, pooled, key, types))
    direct = services.direct(project.value) if project.value is not None else None
    strings = []
    if direct is not None:
        strings.append({"kind": "direct", "label": "Direct connection", "template": direct.template})
    for config in pooler.value or []:
        strings.append(
            {
                "kind": f"pooler-{config.pool_mode or 'pool'}",
                "label": f"Pooler ({config.pool_mode or 'pooled'})",
                "template": config.connection_string,
            }
        )
    for item in strings:
        item["shown"] = services.with_password(item["template"], password) if password is not None else item["template"]
    context = {
        "ref": ref,
        "target": target,
        "query": target.query,
        "strings": strings,
        "direct": direct,
        "project_problem": project.problem,
        "pooler_missing": pooler.problem is None and pooler.value is None,
        "pooler_problem": pooler.problem,
        "api_url": services.api_url(target.ref),
        "publishable": publishable.value,
        "key_problem": publishable.problem,
        "types": typescript.value,
        "types_problem": typescript.problem,
        "schemas": schemas,
        "schemas_error": None if query.is_valid() else query.first_error(),
        "has_password": services.has_stored_password(target.ref),
        "api_keys_url": url(request, "api-keys", ref) + target.query,
        "revealed": password is not None,
        **extra,
    }
    response = render_page(request, TEMPLATE, context, section=SECTION, project_ref=ref, status=status)
    if password is not None:
        add_never_cache_headers(response)  # the one answer that holds the password is never kept
    return response


@require_GET
@project_view(SECTION)
def index(request: HttpRequest, ref: str) -> HttpResponse:
    return _page(request, ref)


@project_view(SECTION, write=True, action="connect.reveal")
@post_form("connect")
def reveal(request: HttpRequest, ref: str) -> HttpResponse:
    access = request_access(request)
    if not access.embedded and not access.can_reveal_credentials:
        return refused(
            request, ref, SECTION, "Showing the database password takes the permission to reveal credentials."
        )
    if not RevealForm(request.POST).is_valid():
        return _page(request, ref, status=400, reveal_error="Tick the box to show the password.")
    password = services.reveal_password(request.user, ref, request_target(request).ref)
    if password is None:
        return _page(
            request,
            ref,
            status=404,
            reveal_error="platformkit holds no password for this database: it did not create it.",
        )
    return _page(request, ref, password=password)


@require_GET
@project_view(SECTION)
def types_download(request: HttpRequest, ref: str) -> HttpResponse:
    query = TypesQuery(request.GET)
    if not query.is_valid():
        return HttpResponse(query.first_error(), status=400, content_type="text/plain; charset=utf-8")
    found = upstream.attempt(
        lambda: services.typescript_types(request_target(request).ref, query.cleaned_data["schemas"])
    )
    if found.problem is not None:
        return HttpResponse(found.problem.message, status=502, content_type="text/plain; charset=utf-8")
    response = HttpResponse(found.value, content_type="application/typescript; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="database.types.ts"'
    return response
