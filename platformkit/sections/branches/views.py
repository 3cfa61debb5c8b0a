"""Branches: the list with live workflow status, create (with secrets; a warning before
copying data), merge with a review step, reset and delete (now or scheduled, undoable) behind
a typed confirmation."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from platformkit.access import project_view, request_access
from platformkit.api import errors
from platformkit.api.types import Branch
from platformkit.core import destructive, panels, upstream
from platformkit.core.idempotency import idempotent
from platformkit.core.post_only import post_form
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.models import Operation
from platformkit.sections.branches import services as workflows
from platformkit.sections.branches.forms import BranchConfirmForm, BranchCreateForm, BranchDeleteForm, MergeForm

LIST_TEMPLATE = "platformkit/branches/list.html"


def _list_context(request: HttpRequest, ref: str, **extra: Any) -> dict[str, Any]:
    # The full page waits PANEL_WAIT for the list, then sends it loading (core.panels).
    reads = {"branches": lambda: workflows.list_branches(ref, fresh=False)}
    listed = panels.gather(reads, wait=not request.htmx)["branches"]  # type: ignore[attr-defined]
    return {
        "ref": ref,
        "branches": (listed.value if listed is not None else None) or [],
        "branches_problem": listed.problem if listed is not None else None,
        "branches_loading": listed is None,
        "operations": Operation.objects.filter(project_ref=ref, kind__startswith="branch.")[:5],
        "form": {"name": "", "secrets": "", "with_data": False, "persistent": False},
        "create_url": url(request, "branches-create", ref) + request_target(request).query,
        "list_url": _list_url(request, ref),
        **destructive.taken_context(request, workflows.production(ref)),
        **extra,
    }


def _list_url(request: HttpRequest, ref: str, *, unless: str | None = None) -> str:
    """The list, on the branch the operator was on (production when that branch is ``unless``:
    one just deleted)."""
    target = request_target(request)
    return url(request, "branches", ref) + ("" if target.ref == unless else target.query)


def _page(request: HttpRequest, ref: str, status: int = 200, **extra: Any) -> HttpResponse:
    return render_page(
        request,
        LIST_TEMPLATE,
        _list_context(request, ref, **extra),
        section="branches",
        partial="branch-list",
        project_ref=ref,
        status=status,
    )


@require_GET
@project_view("branches")
def branch_list(request: HttpRequest, ref: str) -> HttpResponse:
    return _page(request, ref)


@project_view("branches", write=True)
@post_form("branches")
@idempotent
def create(request: HttpRequest, ref: str) -> HttpResponse:
    form = BranchCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, ref, status=400, form=form.shown(), create_errors=form.problems())
    data = form.cleaned_data
    try:
        workflows.create(
            request.user,
            project_ref=ref,
            name=data["name"],
            with_data=data["with_data"],
            secrets=data["secrets"],
            persistent=data["persistent"],
        )
    except errors.APIError as exc:
        return _page(
            request,
            ref,
            status=400 if isinstance(exc, errors.ValidationError) else 200,
            form=form.shown(),
            create_errors=[upstream.describe(exc).message],
        )
    return redirect(_list_url(request, ref))


def _branch(ref: str, branch_ref: str) -> Branch:
    branch = workflows.find_branch(ref, branch_ref)
    if branch is None:
        raise Http404("No such branch in this project")
    return branch


def _review_page(request: HttpRequest, ref: str, branch: Branch, status: int = 200, **extra: Any) -> HttpResponse:
    review = workflows.review_merge(ref, branch)
    context = {
        "ref": ref,
        "review": review,
        "preview": workflows.merge_preview(review, workflows.functions_promoted(ref, branch)),
        "production": workflows.production(ref),
        "branch": branch,
        "merge_url": url(request, "branches-merge", ref, branch.project_ref),
        **extra,
    }
    return render_page(
        request, "platformkit/branches/review.html", context, section="branches", project_ref=ref, status=status
    )


@project_view("branches", write=True, action="branches.merge")
@idempotent
def _merge(request: HttpRequest, ref: str, branch: Branch) -> HttpResponse:
    review = workflows.review_merge(ref, branch)
    form = MergeForm(request.POST, review=review, may_override=request_access(request).can_override_merge_checks)
    if not form.is_valid():
        return _review_page(request, ref, branch, status=403 if form.forbidden else 400, merge_error=form.error)
    try:
        _, taken = workflows.merge(
            request.user,
            project_ref=ref,
            branch=branch,
            review=review,
            override_reason=form.cleaned_data["override_reason"],
        )
    except errors.APIError as exc:
        return _review_page(request, ref, branch, merge_error=upstream.describe(exc).message)
    return redirect(destructive.with_taken(url(request, "branches", ref), taken))


@project_view("branches")
def merge(request: HttpRequest, ref: str, branch_ref: str) -> HttpResponse:
    """GET: the review (diff, migrations to apply, warnings, checks). POST: merge."""
    branch = _branch(ref, branch_ref)
    if request.method == "POST":
        return _merge(request, ref=ref, branch=branch)
    return _review_page(request, ref, branch)


@project_view("branches", write=True, action="branches.reset")
@post_form("branches")
@idempotent
def reset(request: HttpRequest, ref: str, branch_ref: str) -> HttpResponse:
    branch = _branch(ref, branch_ref)
    form = BranchConfirmForm(request.POST, branch=branch, verb="reset")
    if not form.is_valid():
        return _page(request, ref, status=400, action_error=form.error)
    workflows.reset(request.user, project_ref=ref, branch=branch)
    return redirect(_list_url(request, ref))


@project_view("branches", write=True, action="branches.delete")
@post_form("branches")
@idempotent
def delete(request: HttpRequest, ref: str, branch_ref: str) -> HttpResponse:
    branch = _branch(ref, branch_ref)
    form = BranchDeleteForm(request.POST, branch=branch, verb="delete")
    if not form.is_valid():
        return _page(request, ref, status=400, action_error=form.error)
    workflows.delete(request.user, project_ref=ref, branch=branch, now=form.cleaned_data["when"])
    return redirect(_list_url(request, ref, unless=branch.project_ref))


@project_view("branches", write=True)
@post_form("branches")
@idempotent
def restore(request: HttpRequest, ref: str, branch_ref: str) -> HttpResponse:
    """Undo a scheduled deletion."""
    workflows.restore(request.user, project_ref=ref, branch=_branch(ref, branch_ref))
    return redirect(_list_url(request, ref))
