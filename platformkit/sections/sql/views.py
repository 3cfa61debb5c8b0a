"""The SQL editor: run SQL on production or a branch, see the rows, errors with their
position, confirmations for risky statements, history and saved snippets."""

from __future__ import annotations

import json
import time
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from platformkit.access import project_view
from platformkit.api import errors
from platformkit.core.audit import audit_request
from platformkit.core.client import get_client
from platformkit.core.pgerrors import parse_error
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.core.upstream import describe
from platformkit.models import QueryRun, SavedQuery
from platformkit.sections.sql import services as sqleditor

HISTORY_SIZE = 20
TEMPLATE = "platformkit/sql/editor.html"


def _owner(request: HttpRequest) -> dict[str, Any]:
    """Whose history and snippets these are: the operator's, or inside an embed the host's
    end-user's (an embed has no Django user; its session names the subject)."""
    embed = getattr(request, "platformkit_embed", None)
    if embed is not None:
        return {"user": None, "embed_subject": embed.subject}
    return {"user": request.user, "embed_subject": ""}


def _remember(request: HttpRequest, **run: Any) -> None:
    QueryRun.objects.create(**_owner(request), **run)


def _page_context(request: HttpRequest, ref: str, **extra: Any) -> dict[str, Any]:
    target = request_target(request)
    return {
        "ref": ref,
        "history": QueryRun.objects.filter(**_owner(request), project_ref=ref)[:HISTORY_SIZE],
        "snippets": SavedQuery.objects.filter(**_owner(request), project_ref=ref),
        "run_url": url(request, "sql-run", ref) + target.query,
        "save_url": url(request, "sql-save", ref) + target.query,
        "sql": "",
        "parameters": "",
        "read_only": target.is_production,
        **extra,
    }


@require_GET
@project_view("sql")
def editor(request: HttpRequest, ref: str) -> HttpResponse:
    sql = ""
    if request.GET.get("history", "").isdigit():
        run = QueryRun.objects.filter(**_owner(request), project_ref=ref, pk=int(request.GET["history"])).first()
        sql = run.sql if run else ""
    elif request.GET.get("snippet", "").isdigit():
        snippet = SavedQuery.objects.filter(**_owner(request), project_ref=ref, pk=int(request.GET["snippet"])).first()
        sql = snippet.sql if snippet else ""
    if not sql and request.GET.get("sql"):
        sql = request.GET["sql"][:20000]  # prefilled (e.g. an advisor's fix), never run without review
    return render_page(request, TEMPLATE, _page_context(request, ref, sql=sql), section="sql", project_ref=ref)


def _parameters(raw: str) -> list[Any] | None:
    if not raw.strip():
        return None
    value = json.loads(raw)
    if not isinstance(value, list):
        raise ValueError('Parameters must be a JSON array, e.g. [1, "text"]')
    return value


def _run(request: HttpRequest, ref: str, *, read_only: bool) -> HttpResponse:
    target = request_target(request)
    sql = request.POST.get("sql", "")
    raw_parameters = request.POST.get("parameters", "")
    context = _page_context(request, ref, sql=sql, parameters=raw_parameters, read_only=read_only)

    def answer(**extra: Any) -> HttpResponse:
        return render_page(
            request, TEMPLATE, {**context, **extra}, section="sql", partial="sql-result", project_ref=ref
        )

    if not sql.strip():
        return answer(input_error="Write a statement to run.")
    try:
        parameters = _parameters(raw_parameters)
    except ValueError as exc:
        return answer(input_error=f"Parameters: {exc}")
    analysis = sqleditor.analyse(sql)
    if not read_only and request.POST.get("enable_rls") == "1" and analysis.tables_without_rls:
        sql = sqleditor.with_rls(sql, analysis.tables_without_rls)
        context["sql"] = sql
    elif not read_only and analysis.needs_confirmation and request.POST.get("confirmed") != "1":
        return answer(analysis=analysis)
    download = request.POST.get("format") if read_only else None
    started = time.monotonic()
    try:
        rows = get_client(cached=False).database.query(
            target.ref, sql, parameters=parameters, read_only=read_only or None
        )
    except errors.APIError as exc:
        duration = int((time.monotonic() - started) * 1000)
        _remember(
            request,
            project_ref=ref,
            target_ref=target.ref,
            sql=sql,
            read_only=read_only,
            succeeded=False,
            duration_ms=duration,
        )
        if not read_only:
            audit_request(
                request,
                "sql.run",
                project_ref=ref,
                success=False,
                detail={"target": target.ref, "characters": len(sql)},
            )
        if isinstance(exc, errors.ValidationError):
            error = parse_error(exc.message, sql)
            return answer(pg_error=error, error_at=_split_at(sql, error.offset))
        return answer(problem=describe(exc))
    duration = int((time.monotonic() - started) * 1000)
    _remember(
        request,
        project_ref=ref,
        target_ref=target.ref,
        sql=sql,
        read_only=read_only,
        row_count=len(rows),
        duration_ms=duration,
    )
    if not read_only:
        audit_request(
            request,
            "sql.run",
            project_ref=ref,
            detail={"target": target.ref, "characters": len(sql), "rows": len(rows)},
        )
    if download in ("csv", "json"):
        body = sqleditor.to_csv(rows) if download == "csv" else sqleditor.to_json(rows)
        response = HttpResponse(
            body, content_type="text/csv; charset=utf-8" if download == "csv" else "application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="result.{download}"'
        return response
    return answer(grid=sqleditor.grid(rows), duration_ms=duration, ran=True)


def _split_at(sql: str, offset: int | None) -> tuple[str, str, str] | None:
    """The SQL around the error position (before, the character, after), for highlighting."""
    if offset is None or not 0 <= offset < len(sql):
        return None
    return sql[:offset], sql[offset], sql[offset + 1 :]


@project_view("sql", write=True, action="sql.write")
def _run_writable(request: HttpRequest, ref: str) -> HttpResponse:
    return _run(request, ref, read_only=False)


@require_POST
@project_view("sql")
def run(request: HttpRequest, ref: str) -> HttpResponse:
    """Read-only runs need read access; anything else goes through the write gate."""
    if request.POST.get("read_only") == "on":
        return _run(request, ref, read_only=True)
    return _run_writable(request, ref=ref)


@require_POST
@project_view("sql")
def save(request: HttpRequest, ref: str) -> HttpResponse:
    """Save the editor's SQL as a named snippet (its owner's own; replaces one of the same name)."""
    name, sql = request.POST.get("name", "").strip()[:200], request.POST.get("sql", "")
    if not name or not sql.strip():
        error = "A snippet needs a name and some SQL."
        return render_page(
            request,
            TEMPLATE,
            _page_context(request, ref, sql=sql, save_error=error),
            section="sql",
            project_ref=ref,
            status=400,
        )
    SavedQuery.objects.update_or_create(**_owner(request), project_ref=ref, name=name, defaults={"sql": sql})
    return redirect(url(request, "sql", ref) + request_target(request).query)
