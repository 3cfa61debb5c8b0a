"""Functions: the list with the deploy form, one function's files, settings, history and
test-invoke panel, delete with the slug typed."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from platformkit.access import project_view
from platformkit.api import errors
from platformkit.api.types import EdgeFunction
from platformkit.core import upstream
from platformkit.core.idempotency import idempotent
from platformkit.core.post_only import post_form
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.functions import services as functions
from platformkit.sections.functions.forms import METHODS, DeleteForm, DeployForm, InvokeForm, SettingsForm

SECTION = "functions"


def _list_page(request: HttpRequest, ref: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    target = request_target(request)
    listed = upstream.attempt(lambda: functions.list_functions(target.ref))
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
    """With ``?retry=<operation>``: the deploy form as that failed deploy sent it, with its error."""
    failed = functions.failed_deploy(ref, request.GET.get("retry", ""))
    if failed is None:
        return _list_page(request, ref)
    return _list_page(request, ref, deploy_error=failed.message, form=functions.deploy_form_of(failed))


@project_view(SECTION, write=True, action="functions.deploy")
@post_form("functions")
@idempotent
def deploy(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    form = DeployForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list_page(request, ref, status=400, deploy_error=form.first_error(), form=form.typed())
    data = form.cleaned_data
    try:
        operation = functions.deploy(
            request.user,
            ref,
            target.ref,
            data["slug"],
            data["files"],
            entrypoint=data["entrypoint_path"],
            import_map=data["import_map_path"],
            verify_jwt=data["verify_jwt"],
            static_patterns=data["static_patterns"],
            branch=target.branch_name,
        )
    except functions.FunctionError as exc:
        return _list_page(request, ref, status=400, deploy_error=str(exc), form=form.typed())
    return redirect(url(request, "operation", operation.pk))


def _function_or_404(target_ref: str, slug: str) -> EdgeFunction:
    try:
        return functions.get_function(target_ref, slug)
    except errors.NotFoundError:
        raise Http404("No such function") from None


def _detail_page(request: HttpRequest, ref: str, slug: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    target = request_target(request)
    function = _function_or_404(target.ref, slug)
    bundle = upstream.attempt(lambda: functions.bundle(target.ref, slug))
    context = {
        "ref": ref,
        "target": target,
        "function": function,
        "files": functions.files_of(bundle.value) if bundle.value else None,
        "bundle_problem": bundle.problem,
        "history": functions.history(ref, target.ref, slug),
        "invoke_url": functions.invoke_url(target.ref, slug),
        "query": target.query,
        "methods": METHODS,
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


@project_view(SECTION, write=True, action="functions.deploy")
@post_form("function", "ref", "slug")
@idempotent
def settings(request: HttpRequest, ref: str, slug: str) -> HttpResponse:
    target = request_target(request)
    _function_or_404(target.ref, slug)
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, ref, slug, status=400, settings_error=form.first_error())
    try:
        functions.update_settings(
            request.user,
            ref,
            target.ref,
            slug,
            verify_jwt=form.cleaned_data["verify_jwt"],
            entrypoint_path=form.cleaned_data["entrypoint_path"],
            import_map_path=form.cleaned_data["import_map_path"],
        )
    except errors.APIError as exc:
        return _detail_page(request, ref, slug, status=400, settings_error=upstream.describe(exc).message)
    return redirect(url(request, "function", ref, slug) + target.query)


@project_view(SECTION, write=True, action="functions.delete")
@post_form("function", "ref", "slug")
@idempotent
def delete(request: HttpRequest, ref: str, slug: str) -> HttpResponse:
    target = request_target(request)
    form = DeleteForm(request.POST, slug=slug)
    if not form.is_valid():
        return _detail_page(request, ref, slug, status=400, delete_error=form.first_error())
    try:
        functions.delete(request.user, ref, target.ref, slug)
    except errors.APIError as exc:
        return _detail_page(request, ref, slug, status=400, delete_error=upstream.describe(exc).message)
    return redirect(url(request, "functions", ref) + target.query)


@project_view(SECTION, write=True, action="functions.invoke")
@post_form("function", "ref", "slug")
@idempotent
def invoke(request: HttpRequest, ref: str, slug: str) -> HttpResponse:
    target = request_target(request)
    form = InvokeForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, ref, slug, status=400, invoke_error=form.first_error(), invoke_form=form.typed())
    result = functions.test_invoke(
        target.ref,
        slug,
        method=form.cleaned_data["method"],
        headers=form.cleaned_data["headers"],
        body=form.cleaned_data["body"],
        with_anon_key=form.cleaned_data["with_anon_key"],
    )
    return _detail_page(
        request, ref, slug, invoke_result=result, invoke_body=functions.pretty(result.body), invoke_form=form.typed()
    )
