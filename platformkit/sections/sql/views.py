"""The SQL editor: run SQL on production or a branch, see the rows, errors with their
position, confirmations for risky statements, history and saved snippets."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from platformkit.access import project_view
from platformkit.core.post_only import post_form
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.sql import services as sqleditor
from platformkit.sections.sql.forms import SQL_MAX_PREFILL, RunForm, SnippetForm

HISTORY_SIZE = 20
TEMPLATE = "platformkit/sql/editor.html"


def _owner(request: HttpRequest) -> sqleditor.Owner:
    """The operator, or inside an embed the host's end-user (its session names the subject)."""
    embed = getattr(request, "platformkit_embed", None)
    if embed is not None:
        return sqleditor.Owner(embed_subject=embed.subject)
    return sqleditor.Owner(user=request.user)


def _page_context(request: HttpRequest, ref: str, **extra: Any) -> dict[str, Any]:
    target = request_target(request)
    return {
        "ref": ref,
        # Lazy: read when rendered, so an answer to a run already holds that run.
        "history": sqleditor.history(_owner(request), ref, target.ref, HISTORY_SIZE),
        "snippets": sqleditor.snippets(_owner(request), ref),
        "run_url": url(request, "sql-run", ref) + target.query,
        "save_url": url(request, "sql-save", ref) + target.query,
        "sql": "",
        "parameters": "",
        "read_only": target.is_production,
        "grid_cap": sqleditor.GRID_ROW_CAP,
        **extra,
    }


@require_GET
@project_view("sql")
def editor(request: HttpRequest, ref: str) -> HttpResponse:
    sql = ""
    if request.GET.get("history", "").isdigit():
        sql = sqleditor.earlier_sql(_owner(request), ref, run=int(request.GET["history"]))
    elif request.GET.get("snippet", "").isdigit():
        sql = sqleditor.earlier_sql(_owner(request), ref, snippet=int(request.GET["snippet"]))
    if not sql and request.GET.get("sql"):
        sql = request.GET["sql"][:SQL_MAX_PREFILL]  # prefilled (e.g. an advisor's fix), never run without review
    return render_page(request, TEMPLATE, _page_context(request, ref, sql=sql), section="sql", project_ref=ref)


def _run(request: HttpRequest, ref: str, form: RunForm) -> HttpResponse:
    target = request_target(request)
    read_only: bool = form.cleaned_data["read_only"]
    context = _page_context(request, ref, **form.typed(), read_only=read_only)

    def answer(**extra: Any) -> HttpResponse:
        # An HTMX answer replaces the result and, out of band, the history (this run in it).
        context["history_oob"] = bool(getattr(request, "htmx", False))
        return render_page(
            request, TEMPLATE, {**context, **extra}, section="sql", partial="sql-result", project_ref=ref
        )

    if form.errors:
        return answer(input_error=form.first_error())
    data = form.cleaned_data
    if read_only and data["format"]:
        return _download(request, ref, data, answer)
    outcome = sqleditor.run_query(
        actor=request.user,
        owner=_owner(request),
        project_ref=ref,
        target_ref=target.ref,
        sql=data["sql"],
        parameters=data["parameters"],
        read_only=read_only,
        confirmed=data["confirmed"],
        enable_rls=data["enable_rls"],
    )
    context["sql"] = outcome.sql
    if outcome.analysis is not None:
        return answer(analysis=outcome.analysis)
    if outcome.pg_error is not None:
        return answer(pg_error=outcome.pg_error, error_at=outcome.error_at)
    if outcome.problem is not None:
        return answer(problem=outcome.problem)
    rows = outcome.rows or []
    return answer(grid=sqleditor.grid(rows, limited=outcome.limited), duration_ms=outcome.duration_ms, ran=True)


DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", sqleditor.csv_chunks),
    "json": ("application/json", sqleditor.json_chunks),
}


def _download(request: HttpRequest, ref: str, data: dict[str, Any], answer: Any) -> HttpResponse:
    """A read-only result as CSV or JSON, streamed as its rows arrive (or its error shown)."""
    outcome = sqleditor.start_download(
        owner=_owner(request),
        project_ref=ref,
        target_ref=request_target(request).ref,
        sql=data["sql"],
        parameters=data["parameters"],
    )
    if outcome.pg_error is not None:
        return answer(pg_error=outcome.pg_error, error_at=outcome.error_at)
    if outcome.problem is not None or outcome.download is None:
        return answer(problem=outcome.problem)
    content_type, encode = DOWNLOADS[data["format"]]
    response = StreamingHttpResponse(encode(outcome.download), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="result.{data["format"]}"'
    # The gate's type says HttpResponse; a streaming one is served just the same by Django.
    return cast(HttpResponse, response)


@project_view("sql", write=True, action="sql.write")
def _run_writable(request: HttpRequest, ref: str, form: RunForm) -> HttpResponse:
    return _run(request, ref, form)


@project_view("sql")
@post_form("sql")
def run(request: HttpRequest, ref: str) -> HttpResponse:
    """Read-only runs need read access; anything else goes through the write gate."""
    form = RunForm(request.POST)
    form.is_valid()  # its errors are shown once the run is allowed (``_run``)
    if form.cleaned_data["read_only"]:
        return _run(request, ref, form)
    return _run_writable(request, ref=ref, form=form)


@project_view("sql")
@post_form("sql")
def save(request: HttpRequest, ref: str) -> HttpResponse:
    """Save the editor's SQL as a named snippet (its owner's own; replaces one of the same name)."""
    form = SnippetForm(request.POST)
    if not form.is_valid():
        return render_page(
            request,
            TEMPLATE,
            _page_context(request, ref, sql=form.typed_sql(), save_error=form.non_field_errors()[0]),
            section="sql",
            project_ref=ref,
            status=400,
        )
    sqleditor.save_snippet(_owner(request), ref, form.cleaned_data["name"], form.cleaned_data["sql"])
    return redirect(url(request, "sql", ref) + request_target(request).query)
