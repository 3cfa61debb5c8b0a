"""Branches: the list with live workflow status, create (with secrets; a warning before
copying data), merge with a review step, reset and delete (now or scheduled, undoable) behind
a typed confirmation."""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from platformkit.access import project_view, request_access
from platformkit.api import errors
from platformkit.api.types import Branch
from platformkit.core import upstream
from platformkit.core.audit import audit_request
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.rendering import render_page, url
from platformkit.models import Operation
from platformkit.sections.branches import services as workflows

BRANCH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")
SECRET_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
LIST_TEMPLATE = "platformkit/branches/list.html"


def _list_context(request: HttpRequest, ref: str, **extra: Any) -> dict[str, Any]:
    listed = upstream.attempt(lambda: get_client(cached=False).branches.list(ref))
    return {
        "ref": ref,
        "branches": [branch for branch in listed.value or [] if not branch.is_default],
        "branches_problem": listed.problem,
        "operations": Operation.objects.filter(project_ref=ref, kind__startswith="branch.")[:5],
        "form": {"name": "", "secrets": "", "with_data": False, "persistent": False},
        "create_url": url(request, "branches-create", ref),
        **extra,
    }


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


def _secrets(text: str) -> tuple[dict[str, str], list[str]]:
    found, bad = {}, []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = SECRET_LINE.match(line.strip())
        if match is None:
            bad.append(f"line {number}")
        else:
            found[match.group(1)] = match.group(2)
    return found, bad


@require_POST
@project_view("branches", write=True)
def create(request: HttpRequest, ref: str) -> HttpResponse:
    form = {
        "name": request.POST.get("name", "").strip(),
        "secrets": request.POST.get("secrets", ""),
        "with_data": request.POST.get("with_data") == "on",
        "persistent": request.POST.get("persistent") == "on",
    }
    problems = []
    if not BRANCH_NAME.match(form["name"]) or form["name"] == "main":
        problems.append(
            "Name: 1 to 100 letters, digits, '.', '_', '-' or '/', starting with a letter or digit (not 'main')."
        )
    secrets, bad = _secrets(form["secrets"])
    if bad:
        problems.append(f"Secrets: write one NAME=value per line ({', '.join(bad)} is not).")
    if form["with_data"] and request.POST.get("with_data_ack") != "on":
        problems.append(
            "Copying data copies production's rows, personal data included: tick the acknowledgement, or leave data out and seed the branch."
        )
    if problems:
        return _page(request, ref, status=400, form=form, create_errors=problems)
    try:
        workflows.create_branch(
            user=request.user,
            project_ref=ref,
            name=form["name"],
            with_data=form["with_data"],
            secrets=secrets,
            persistent=form["persistent"],
        )
    except errors.APIError as exc:
        audit_request(request, "branches.create", project_ref=ref, success=False, detail={"name": form["name"]})
        return _page(
            request,
            ref,
            status=400 if isinstance(exc, errors.ValidationError) else 200,
            form=form,
            create_errors=[upstream.describe(exc).message],
        )
    audit_request(
        request,
        "branches.create",
        project_ref=ref,
        detail={"name": form["name"], "with_data": form["with_data"], "secret_names": sorted(secrets)},
    )
    return redirect(url(request, "branches", ref))


def _branch(ref: str, branch_ref: str) -> Branch:
    for branch in get_client(cached=False).branches.list(ref):
        if branch.project_ref == branch_ref and not branch.is_default:
            return branch
    raise Http404("No such branch in this project")


def _review_page(request: HttpRequest, ref: str, branch: Branch, status: int = 200, **extra: Any) -> HttpResponse:
    review = workflows.review_merge(ref, branch)
    context = {
        "ref": ref,
        "review": review,
        "branch": branch,
        "merge_url": url(request, "branches-merge", ref, branch.project_ref),
        **extra,
    }
    return render_page(
        request, "platformkit/branches/review.html", context, section="branches", project_ref=ref, status=status
    )


@project_view("branches", write=True, action="branches.merge")
def _merge(request: HttpRequest, ref: str, branch: Branch) -> HttpResponse:
    review = workflows.review_merge(ref, branch)
    reason = request.POST.get("override_reason", "").strip()
    if review.blocked and not request_access(request).can_override_merge_checks:
        return _review_page(
            request,
            ref,
            branch,
            status=403,
            merge_error="A check blocks this merge, and overriding it takes the override_merge_checks permission: fix what it found, or ask someone who has it.",
        )
    if review.blocked and not reason:
        return _review_page(
            request,
            ref,
            branch,
            status=400,
            merge_error="A check blocks this merge: give a reason to override it, or fix what it found.",
        )
    if review.blocked:
        audit_request(
            request,
            "branches.merge_override",
            project_ref=ref,
            detail={
                "branch": branch.name,
                "reason": reason[:500],
                "checks": [c.name for c in review.checks if c.blocking],
            },
        )
    try:
        workflows.start_workflow(user=request.user, kind="merge", project_ref=ref, branch=branch)
    except errors.APIError as exc:
        audit_request(request, "branches.merge", project_ref=ref, success=False, detail={"branch": branch.name})
        return _review_page(request, ref, branch, merge_error=upstream.describe(exc).message)
    audit_request(
        request,
        "branches.merge",
        project_ref=ref,
        detail={"branch": branch.name, "migrations": [m.version for m in review.to_apply]},
    )
    return redirect(url(request, "branches", ref))


@project_view("branches")
def merge(request: HttpRequest, ref: str, branch_ref: str) -> HttpResponse:
    """GET: the review (diff, migrations to apply, warnings, checks). POST: merge."""
    branch = _branch(ref, branch_ref)
    if request.method == "POST":
        return _merge(request, ref=ref, branch=branch)
    return _review_page(request, ref, branch)


def _confirmed(request: HttpRequest, branch: Branch) -> bool:
    return request.POST.get("confirm_name", "").strip() == branch.name


@require_POST
@project_view("branches", write=True, action="branches.reset")
def reset(request: HttpRequest, ref: str, branch_ref: str) -> HttpResponse:
    branch = _branch(ref, branch_ref)
    if not _confirmed(request, branch):
        return _page(request, ref, status=400, action_error=f"Type the branch name {branch.name!r} to reset it.")
    workflows.start_workflow(user=request.user, kind="reset", project_ref=ref, branch=branch)
    audit_request(request, "branches.reset", project_ref=ref, detail={"branch": branch.name})
    return redirect(url(request, "branches", ref))


@require_POST
@project_view("branches", write=True, action="branches.delete")
def delete(request: HttpRequest, ref: str, branch_ref: str) -> HttpResponse:
    branch = _branch(ref, branch_ref)
    if not _confirmed(request, branch):
        return _page(request, ref, status=400, action_error=f"Type the branch name {branch.name!r} to delete it.")
    now = request.POST.get("when") == "now"
    get_client(cached=False).branches.delete(branch.id, force=now)
    forget_cached_reads()
    audit_request(request, "branches.delete", project_ref=ref, detail={"branch": branch.name, "scheduled": not now})
    return redirect(url(request, "branches", ref))


@require_POST
@project_view("branches", write=True)
def restore(request: HttpRequest, ref: str, branch_ref: str) -> HttpResponse:
    """Undo a scheduled deletion."""
    branch = _branch(ref, branch_ref)
    get_client(cached=False).branches.restore(branch.id)
    forget_cached_reads()
    audit_request(request, "branches.restore", project_ref=ref, detail={"branch": branch.name})
    return redirect(url(request, "branches", ref))
