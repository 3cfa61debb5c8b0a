"""Advisors: the latest scan of a project or branch (Security and Performance tabs, grouped by
level, filterable), run now, dismiss and restore findings; each finding's fix opens the SQL
editor prefilled, never applied without review."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from platformkit.access import project_view, request_access
from platformkit.core.idempotency import idempotent
from platformkit.core.post_only import post_form
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.advisors import services as advisors
from platformkit.sections.advisors.forms import BackForm, DismissForm, RestoreForm

SECTION = "advisors"


def _page(request: HttpRequest, ref: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    target = request_target(request)
    found = advisors.latest(target.ref)
    if found is None:  # first visit: scan once so the page has something to show
        found = advisors.scan(ref, target.ref, trigger="manual")
    report = advisors.report(
        ref,
        found,
        tab=request.GET.get("tab", "security"),
        level=request.GET.get("level", ""),
        query=request.GET.get("q", ""),
    )
    sql_url = url(request, "sql", ref)
    context = {
        "ref": ref,
        "target": target,
        "report": report,
        "sql_url": sql_url,
        "levels": advisors.LEVELS,
        "tab_urls": {
            tab: "?" + urlencode({k: v for k, v in {"tab": tab, "branch": request.GET.get("branch", "")}.items() if v})
            for tab in ("security", "performance")
        },
        "fix_links": {
            f.lint["cache_key"]: sql_url
            + "?"
            + urlencode({**({"branch": request.GET["branch"]} if request.GET.get("branch") else {}), "sql": f.fix})
            for level, findings in report.groups
            for f in findings
            if f.fix
        },
        **extra,
    }
    return render_page(
        request, "platformkit/advisors/report.html", context, section=SECTION, project_ref=ref, status=status
    )


@require_GET
@project_view(SECTION)
def report(request: HttpRequest, ref: str) -> HttpResponse:
    return _page(request, ref)


def _back(request: HttpRequest, ref: str, form: BackForm) -> HttpResponse:
    """Back to the report of the target the action ran on (the branch comes in the action's
    query string, resolved by the gate), on the tab it was posted from."""
    target = request_target(request)
    keep = form.back_query()
    keep.pop("branch", None)
    if not target.is_production:
        keep["branch"] = target.ref
    return redirect(url(request, "advisors", ref) + ("?" + urlencode(keep) if keep else ""))


@project_view(SECTION, action="advisors.run")
@post_form("advisors")
@idempotent
def run(request: HttpRequest, ref: str) -> HttpResponse:
    advisors.scan(ref, request_target(request).ref, trigger="manual")
    return _back(request, ref, BackForm(request.POST))


@project_view(SECTION, write=True, action="advisors.dismiss")
@post_form("advisors")
@idempotent
def dismiss(request: HttpRequest, ref: str) -> HttpResponse:
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _page(request, ref, status=400, dismiss_error=form.error, dismiss_key=form["cache_key"].data or "")
    try:
        advisors.dismiss(
            request.user,
            ref,
            form.cleaned_data["cache_key"],
            form.cleaned_data["reason"],
            target_ref=request_target(request).ref,
            may_waive_merge_gate=request_access(request).can_override_merge_checks,
        )
    except advisors.DismissError as exc:
        return _page(request, ref, status=400, dismiss_error=str(exc), dismiss_key=form.cleaned_data["cache_key"])
    return _back(request, ref, form)


@project_view(SECTION, write=True, action="advisors.dismiss")
@post_form("advisors")
@idempotent
def restore(request: HttpRequest, ref: str) -> HttpResponse:
    form = RestoreForm(request.POST)
    form.is_valid()  # every field is optional: a missing finding is the service's refusal
    try:
        advisors.restore(request.user, ref, form.cleaned_data["cache_key"])
    except advisors.DismissError as exc:
        return _page(request, ref, status=400, dismiss_error=str(exc))
    return _back(request, ref, form)
