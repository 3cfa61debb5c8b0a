"""Database pages: the schemas and tables, a table's rows, the row editor, CSV export and the
schema diagram. Thin: the query string and forms are checked in ``forms``, the SQL is built in
``statements``, sent in ``services``; links come from ``links``."""

from __future__ import annotations

from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from platformkit.access import project_view
from platformkit.api import errors
from platformkit.core import upstream
from platformkit.core.pgerrors import parse_error
from platformkit.core.post_only import post_form
from platformkit.core.rendering import render_page
from platformkit.core.targets import request_target
from platformkit.sections.database import diagram as diagrams
from platformkit.sections.database import services
from platformkit.sections.database.catalog import Table
from platformkit.sections.database.forms import (
    NO_KEY_REFUSAL,
    Browse,
    DeleteForm,
    RowForm,
    decode_values,
    initial_for,
    parse_key,
)
from platformkit.sections.database.links import Links
from platformkit.sections.database.statements import OPERATORS, VALUELESS

SECTION = "database"


def _render(request: HttpRequest, ref: str, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    target = request_target(request)
    base = {"ref": ref, "links": Links(request, ref), "production": target.is_production}
    return render_page(
        request,
        f"platformkit/database/{template}",
        {**base, **context},
        section=SECTION,
        project_ref=ref,
        status=status,
    )


def _table_or_404(request: HttpRequest, params: Any) -> Table:
    """The table the query string names, looked up in the catalog (404 when there is none)."""
    schema, name = params.get("schema", ""), params.get("table", "")
    if not schema or not name:
        raise Http404("Name a schema and a table")
    found = services.table(request_target(request).ref, schema, name)
    if found is None:
        raise Http404("No such table")
    return found


def _table_or_problem(request: HttpRequest, ref: str, params: Any) -> Table | HttpResponse:
    try:
        return _table_or_404(request, params)
    except errors.APIError as exc:
        return _render(request, ref, "table.html", {"problem": upstream.describe(exc)})


@require_GET
@project_view(SECTION)
def index(request: HttpRequest, ref: str) -> HttpResponse:
    listed = upstream.attempt(lambda: services.schemas(request_target(request).ref))
    schemas = listed.value or []
    names = [schema.name for schema in schemas]
    wanted = request.GET.get("schema") or ("public" if "public" in names else (names[0] if names else ""))
    current = next((schema for schema in schemas if schema.name == wanted), None)
    if listed.value is not None and current is None and request.GET.get("schema"):
        raise Http404("No such schema")
    links = Links(request, ref)
    return _render(
        request,
        ref,
        "index.html",
        {
            "schemas": [(schema, links.schema(schema.name)) for schema in schemas],
            "current": current,
            "tables": [(item, links.table(item.schema, item.name)) for item in (current.tables if current else [])],
            "diagram_url": links.diagram(current.name) if current else None,
            "problem": listed.problem,
        },
    )


@require_GET
@project_view(SECTION)
def table(request: HttpRequest, ref: str) -> HttpResponse:
    found = _table_or_problem(request, ref, request.GET)
    if isinstance(found, HttpResponse):
        return found
    browse = Browse(found, request.GET)
    context: dict[str, Any] = {
        "table": found,
        "browse": browse,
        "operators": [(name, label) for name, (label, _) in OPERATORS.items()],
        "valueless": VALUELESS,
        "deleted": request.GET.get("deleted") == "1",
        "schema_url": Links(request, ref).schema(found.schema),
    }
    if browse.error:
        return _render(request, ref, "table.html", {**context, "input_error": browse.error}, status=400)
    try:
        page = services.page(
            request_target(request).ref, found, browse.order, browse.filters, browse.cursor, forward=browse.forward
        )
    except errors.ValidationError as exc:  # e.g. a filter value that is no integer: PostgreSQL says so
        return _render(request, ref, "table.html", {**context, "pg_error": parse_error(exc.message, "")}, status=400)
    except errors.APIError as exc:
        return _render(request, ref, "table.html", {**context, "problem": upstream.describe(exc)})
    links = Links(request, ref)
    grid = []
    for item in page.rows:
        cells = []
        for cell in services.cells(found, item):
            fk = found.link_for(cell.column)
            cells.append(
                {"cell": cell, "link": links.referenced(fk, cell.full or cell.text) if fk and not cell.null else None}
            )
        grid.append(
            {"cells": cells, "edit": links.row(found, services.key_of(found, item)) if found.writable else None}
        )
    order, filters = browse.order, browse.filters
    return _render(
        request,
        ref,
        "table.html",
        {
            **context,
            "grid": grid,
            "headers": [(column, links.sort(found, column.name, order, filters)) for column in found.columns],
            "next_url": links.table(found.schema, found.name, order, filters, after=page.next_cursor)
            if page.next_cursor
            else None,
            "previous_url": links.table(found.schema, found.name, order, filters, before=page.previous_cursor)
            if page.previous_cursor
            else None,
            "first_url": links.table(found.schema, found.name, order, filters) if page.previous_cursor else None,
            "export_url": links.export(found, order, filters),
            "export_json_url": links.export(found, order, filters, "json"),
            "new_url": links.row(found) if found.writable else None,
        },
    )


EXPORTS = {"csv": ("text/csv; charset=utf-8", services.export_csv), "json": ("application/json", services.export_json)}


@require_GET
@project_view(SECTION)
def export(request: HttpRequest, ref: str) -> HttpResponse:
    found = _table_or_404(request, request.GET)
    browse = Browse(found, request.GET)
    wanted = request.GET.get("format") or "csv"
    if wanted not in EXPORTS:
        browse.error = f"Unknown export format {wanted!r}: csv or json."
    if browse.error:
        return HttpResponse(browse.error, status=400, content_type="text/plain; charset=utf-8")
    content_type, rows = EXPORTS[wanted]
    response = StreamingHttpResponse(
        rows(request_target(request).ref, found, browse.order, browse.filters), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(found)}.{wanted}"'
    # The gate's type says HttpResponse; a streaming one is served just the same by Django.
    return cast(HttpResponse, response)


def _filename(found: Table) -> str:
    return "".join(char if char.isalnum() or char in "-_" else "_" for char in f"{found.schema}.{found.name}")


def _editor(
    request: HttpRequest,
    ref: str,
    found: Table,
    key: list[str | None] | None,
    form: RowForm,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    links = Links(request, ref)
    # A single-column foreign key's field gets a search of the referenced rows to pick from.
    pickers = {
        fk.columns[0]: {"fk": fk, "url": links.picker(found, fk.columns[0])}
        for fk in found.foreign_keys
        if len(fk.columns) == 1
    }
    context = {
        "table": found,
        "key": key,
        "form": form,
        "save_url": links.save(found, key),
        "delete_url": links.delete(found, key) if key is not None else None,
        "table_url": links.table(found.schema, found.name),
        "no_key": NO_KEY_REFUSAL if not found.writable else None,
        "references": {fk.columns[0]: fk for fk in found.foreign_keys if len(fk.columns) == 1},
        "editor_rows": [{**item, "picker": pickers.get(item["column"].name)} for item in form.rows()],
        "pickers": bool(pickers),
        **extra,
    }
    return _render(request, ref, "row.html", context, status=status)


def _key(found: Table, params: Any) -> tuple[list[str | None] | None, dict[str, str] | None]:
    text = params.get("key", "")
    if not text:
        return None, None
    key = parse_key(found, text)
    if key is None:
        raise Http404("No such row")
    return decode_values(text, len(found.primary_key)), key


@require_GET
@project_view(SECTION)
def references(request: HttpRequest, ref: str) -> HttpResponse:
    """The foreign-key picker's choices (an HTMX fragment): rows of the table ``column``
    references whose key or label contains ``q``."""
    try:
        found = _table_or_404(request, request.GET)
    except errors.APIError as exc:
        return render(request, "platformkit/database/references.html", {"problem": upstream.describe(exc)})
    column = request.GET.get("column", "")
    fk = found.link_for(column)
    index = next((i for i, c in enumerate(found.columns) if c.name == column), None)
    if fk is None or index is None:
        return HttpResponse(
            f"{column!r} is no single-column foreign key of this table.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    text = request.GET.get("q", "")[:200]
    listed = upstream.attempt(lambda: services.references(request_target(request).ref, fk, text))
    return render(
        request,
        "platformkit/database/references.html",
        {"fk": fk, "choices": listed.value, "problem": listed.problem, "field_id": f"id_c{index}", "q": text},
    )


@require_GET
@project_view(SECTION)
def row(request: HttpRequest, ref: str) -> HttpResponse:
    found = _table_or_problem(request, ref, request.GET)
    if isinstance(found, HttpResponse):
        return found
    production = request_target(request).is_production
    values, key = _key(found, request.GET)
    current = None
    if key is not None:
        current = services.row(request_target(request).ref, found, key)
        if current is None:
            raise Http404("No such row")
    form = RowForm(found, production=production, inserting=key is None, initial=initial_for(found, current))
    return _editor(request, ref, found, values, form, saved=request.GET.get("saved") == "1")


@project_view(SECTION, write=True, action="database.write")
@post_form("database-row")
def save(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    found = _table_or_404(request, request.GET)
    values, key = _key(found, request.GET)
    form = RowForm(found, production=target.is_production, inserting=key is None, data=request.POST)
    if not form.is_valid():
        return _editor(request, ref, found, values, form, status=400)
    common = {"project_ref": ref, "target_ref": target.ref, "table": found, "values": form.cleaned_data["values"]}
    if key is None:
        outcome = services.insert(request.user, **common)
    else:
        outcome = services.update(request.user, **common, key=key)
    if outcome.pg_error is not None or outcome.problem is not None:
        return _editor(
            request, ref, found, values, form, status=400, pg_error=outcome.pg_error, problem=outcome.problem
        )
    if outcome.key is None:
        raise Http404("That row is gone")
    saved = [outcome.key.get(name) for name in found.primary_key]
    return redirect(Links(request, ref).row(found, saved) + "&saved=1")


@project_view(SECTION, write=True, action="database.write")
@post_form("database-row")
def delete(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    found = _table_or_404(request, request.GET)
    values, key = _key(found, request.GET)
    if key is None:
        raise Http404("Name the row to delete")
    form = DeleteForm(found, production=target.is_production, data=request.POST)
    current = services.row(target.ref, found, key)
    if current is None:
        raise Http404("No such row")
    editor = RowForm(found, production=target.is_production, inserting=False, initial=initial_for(found, current))
    if not form.is_valid():
        return _editor(request, ref, found, values, editor, status=400, delete_error=form.non_field_errors()[0])
    if not form.cleaned_data["confirmed"]:  # the destructive-action rule: say what goes, then ask
        return _editor(
            request,
            ref,
            found,
            values,
            editor,
            confirm_delete=True,
            write_production=form.cleaned_data["write_production"],
        )
    outcome = services.delete(request.user, project_ref=ref, target_ref=target.ref, table=found, key=key)
    if outcome.pg_error is not None or outcome.problem is not None:
        return _editor(
            request, ref, found, values, editor, status=400, pg_error=outcome.pg_error, problem=outcome.problem
        )
    return redirect(Links(request, ref).table(found.schema, found.name) + "&deleted=1")


@require_GET
@project_view(SECTION)
def diagram(request: HttpRequest, ref: str) -> HttpResponse:
    schema = request.GET.get("schema") or "public"
    listed = upstream.attempt(lambda: services.schema_tables(request_target(request).ref, schema))
    drawing = diagrams.layout(listed.value) if listed.value is not None else None
    return _render(
        request,
        ref,
        "diagram.html",
        {
            "schema": schema,
            "drawing": drawing,
            "problem": listed.problem,
            "links_schema_url": Links(request, ref).schema(schema),
        },
    )
