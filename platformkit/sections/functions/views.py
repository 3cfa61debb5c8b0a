"""Functions: the list with the deploy form, one function's files, settings, history and
test-invoke panel, delete with the slug typed."""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from platformkit.access import project_view
from platformkit.api import errors
from platformkit.core import upstream
from platformkit.core.client import get_client
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.functions import services as functions

SECTION = "functions"
SLUG = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _list_page(request: HttpRequest, ref: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    target = request_target(request)
    listed = upstream.attempt(lambda: get_client().functions.list(target.ref))
    context = {
        "ref": ref,
        "target": target,
        "functions": listed.value or [],
        "problem": listed.problem,
        "deploy_url": url(request, "functions-deploy", ref) + target.query,
        "form": {},
        **extra,
    }
    return render_page(
        request, "platformkit/functions/list.html", context, section=SECTION, project_ref=ref, status=status
    )


@require_GET
@project_view(SECTION)
def function_list(request: HttpRequest, ref: str) -> HttpResponse:
    return _list_page(request, ref)


@require_POST
@project_view(SECTION, write=True, action="functions.deploy")
def deploy(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    form = {
        key: request.POST.get(key, "").strip()
        for key in ("slug", "entrypoint_path", "import_map_path", "static_patterns")
    }
    form["verify_jwt"] = request.POST.get("verify_jwt") == "on"
    uploads = request.FILES.getlist("file")
    paths = request.POST.getlist("path")  # the folder-relative paths the browser knows (multipart keeps only names)
    try:
        if not SLUG.match(form["slug"]):
            raise functions.FunctionError("Slug: start with a letter; letters, digits, '-' and '_' only.")
        if not form["entrypoint_path"]:
            raise functions.FunctionError("Choose the entrypoint (e.g. index.ts).")
        names = [paths[i] if i < len(paths) and paths[i] else upload.name for i, upload in enumerate(uploads)]
        folder, staged = functions.stage(zip(names, uploads, strict=False))
        operation = functions.start_deploy(
            request.user,
            ref,
            target.ref,
            form["slug"],
            folder,
            staged,
            entrypoint=form["entrypoint_path"],
            import_map=form["import_map_path"] or None,
            verify_jwt=bool(form["verify_jwt"]),
            static_patterns=[p.strip() for p in form["static_patterns"].splitlines() if p.strip()],
        )
    except functions.FunctionError as exc:
        return _list_page(request, ref, status=400, deploy_error=str(exc), form=form)
    return redirect(url(request, "operation", operation.pk))


def _function_or_404(target_ref: str, slug: str) -> Any:
    try:
        return get_client(cached=False).functions.get(target_ref, slug)
    except errors.NotFoundError:
        raise Http404("No such function") from None


def _detail_page(request: HttpRequest, ref: str, slug: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    target = request_target(request)
    function = _function_or_404(target.ref, slug)
    bundle = upstream.attempt(lambda: get_client(cached=False).functions.body(target.ref, slug))
    context = {
        "ref": ref,
        "target": target,
        "function": function,
        "files": functions.files_of(bundle.value) if bundle.value else None,
        "bundle_problem": bundle.problem,
        "history": functions.history(ref, target.ref, slug),
        "invoke_url": functions.invoke_url(target.ref, slug),
        "query": target.query,
        "methods": ("POST", "GET", "PUT", "PATCH", "DELETE", "OPTIONS"),
        **extra,
    }
    return render_page(
        request,
        "platformkit/functions/detail.html",
        context,
        section=SECTION,
        project_ref=ref,
        status=status,
        partial="invoke-result",
    )


@require_GET
@project_view(SECTION)
def detail(request: HttpRequest, ref: str, slug: str) -> HttpResponse:
    return _detail_page(request, ref, slug)


@require_POST
@project_view(SECTION, write=True, action="functions.deploy")
def settings(request: HttpRequest, ref: str, slug: str) -> HttpResponse:
    target = request_target(request)
    _function_or_404(target.ref, slug)
    try:
        functions.update_settings(
            request.user,
            ref,
            target.ref,
            slug,
            verify_jwt=request.POST.get("verify_jwt") == "on",
            entrypoint_path=request.POST.get("entrypoint_path", "").strip(),
            import_map_path=request.POST.get("import_map_path", "").strip() or None,
        )
    except errors.APIError as exc:
        return _detail_page(request, ref, slug, status=400, settings_error=upstream.describe(exc).message)
    return redirect(url(request, "function", ref, slug) + target.query)


@require_POST
@project_view(SECTION, write=True, action="functions.delete")
def delete(request: HttpRequest, ref: str, slug: str) -> HttpResponse:
    target = request_target(request)
    try:
        functions.delete(request.user, ref, target.ref, slug, request.POST.get("confirm", ""))
    except functions.FunctionError as exc:
        return _detail_page(request, ref, slug, status=400, delete_error=str(exc))
    except errors.APIError as exc:
        return _detail_page(request, ref, slug, status=400, delete_error=upstream.describe(exc).message)
    return redirect(url(request, "functions", ref) + target.query)


@require_POST
@project_view(SECTION, write=True)
def invoke(request: HttpRequest, ref: str, slug: str) -> HttpResponse:
    target = request_target(request)
    form = {
        "method": request.POST.get("method", "POST"),
        "headers": request.POST.get("headers", ""),
        "body": request.POST.get("body", ""),
        "with_anon_key": request.POST.get("with_anon_key") == "on",
    }
    try:
        result = functions.test_invoke(
            target.ref,
            slug,
            method=form["method"],
            headers_text=form["headers"],
            body=form["body"],
            with_anon_key=bool(form["with_anon_key"]),
        )
    except functions.FunctionError as exc:
        return _detail_page(request, ref, slug, status=400, invoke_error=str(exc), invoke_form=form)
    pretty = result.body
    with contextlib.suppress(ValueError):
        pretty = json.dumps(json.loads(result.body), indent=2)
    return _detail_page(request, ref, slug, invoke_result=result, invoke_body=pretty, invoke_form=form)
