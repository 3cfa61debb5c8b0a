"""Migrations: the ordered history of production or a branch, one migration's statements,
applying a new one (with its rollback), rolling back the latest, and seeding data (on a branch;
on production only with a separate, explicit confirmation)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from platformkit.access import project_view
from platformkit.api import errors
from platformkit.core import upstream
from platformkit.core.audit import audit_request
from platformkit.core.client import get_client
from platformkit.core.pgerrors import parse_error
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import request_target
from platformkit.sections.migrations import services as schema_changes

TEMPLATE = "platformkit/migrations/list.html"


def _context(request: HttpRequest, ref: str, **extra: Any) -> dict[str, Any]:
    target = request_target(request)
    history = upstream.attempt(lambda: get_client(cached=False).database.list_migrations(target.ref))
    return {
        "ref": ref,
        "history": history.value or [],
        "history_problem": history.problem,
        "form": {"name": "", "sql": "", "rollback": ""},
        "seed_form": {"sql": ""},
        "query": target.query,
        "idempotency_key": uuid.uuid4(),
        **extra,
    }


def _page(request: HttpRequest, ref: str, status: int = 200, **extra: Any) -> HttpResponse:
    return render_page(
        request, TEMPLATE, _context(request, ref, **extra), section="migrations", project_ref=ref, status=status
    )


def _back(request: HttpRequest, ref: str) -> HttpResponse:
    return redirect(url(request, "migrations", ref) + request_target(request).query)


@require_GET
@project_view("migrations")
def history(request: HttpRequest, ref: str) -> HttpResponse:
    return _page(request, ref)


@require_GET
@project_view("migrations")
def detail(request: HttpRequest, ref: str, version: str) -> HttpResponse:
    target = request_target(request)
    found = upstream.attempt(lambda: get_client(cached=False).database.get_migration(target.ref, version))
    context = {"ref": ref, "migration": found.value, "problem": found.problem, "query": target.query}
    return render_page(request, "platformkit/migrations/detail.html", context, section="migrations", project_ref=ref)


def _form_key(request: HttpRequest) -> str | None:
    """The rendered form's key (a UUID), scoped to the user so keys of two users never meet."""
    key = request.POST.get("idempotency_key", "")
    try:
        return f"{request.user.pk}:{uuid.UUID(key)}"
    except ValueError:
        return None


def _api_error(exc: errors.APIError, sql: str) -> dict[str, Any]:
    if isinstance(exc, errors.ValidationError):
        return {"pg_error": parse_error(exc.message, sql)}
    return {"problem": upstream.describe(exc)}


@require_POST
@project_view("migrations", write=True)
def apply(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    form = {key: request.POST.get(key, "") for key in ("name", "sql", "rollback")}
    if not form["sql"].strip():
        return _page(request, ref, status=400, form=form, apply_errors=["Write the migration's SQL."])
    if target.is_production and request.POST.get("confirm_production") != ref:
        return _page(
            request,
            ref,
            status=400,
            form=form,
            apply_errors=[
                f"This applies to production directly. Type the project ref {ref} to confirm, or switch to a branch."
            ],
        )
    try:
        schema_changes.apply_migration(
            user=request.user,
            project_ref=ref,
            target_ref=target.ref,
            name=form["name"].strip(),
            sql=form["sql"],
            rollback=form["rollback"],
            idempotency_key=_form_key(request),
        )
    except errors.APIError as exc:
        audit_request(
            request,
            "migrations.apply",
            project_ref=ref,
            success=False,
            detail={"target": target.ref, "name": form["name"][:200]},
        )
        return _page(
            request,
            ref,
            status=400 if isinstance(exc, errors.ValidationError) else 200,
            form=form,
            **_api_error(exc, form["sql"]),
        )
    audit_request(
        request, "migrations.apply", project_ref=ref, detail={"target": target.ref, "name": form["name"][:200]}
    )
    return _back(request, ref)


@require_POST
@project_view("migrations", write=True, action="migrations.rollback")
def rollback(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    version = request.POST.get("version", "")
    if request.POST.get("confirm") != "yes":
        return _page(request, ref, status=400, rollback_error="Tick the box to confirm the rollback.")
    try:
        schema_changes.rollback_latest(user=request.user, project_ref=ref, target_ref=target.ref, version=version)
    except errors.APIError as exc:
        audit_request(
            request,
            "migrations.rollback",
            project_ref=ref,
            success=False,
            detail={"target": target.ref, "version": version},
        )
        return _page(request, ref, status=400, rollback_error=upstream.describe(exc).message)
    audit_request(request, "migrations.rollback", project_ref=ref, detail={"target": target.ref, "version": version})
    return _back(request, ref)


@require_POST
@project_view("migrations", write=True, action="migrations.seed")
def seed(request: HttpRequest, ref: str) -> HttpResponse:
    """Seed data goes into branches; production needs its own, explicit confirmation."""
    target = request_target(request)
    sql = request.POST.get("sql", "")
    if not sql.strip():
        return _page(request, ref, status=400, seed_form={"sql": sql}, seed_errors=["Write the inserts to run."])
    if target.is_production and request.POST.get("confirm_production_seed") != "seed production":
        return _page(
            request,
            ref,
            status=400,
            seed_form={"sql": sql},
            seed_errors=["Seed data belongs on a branch. To seed production anyway, type “seed production”."],
        )
    try:
        count = schema_changes.seed(user=request.user, project_ref=ref, target_ref=target.ref, sql=sql)
    except errors.APIError as exc:
        audit_request(request, "migrations.seed", project_ref=ref, success=False, detail={"target": target.ref})
        return _page(
            request,
            ref,
            status=400,
            seed_form={"sql": sql},
            **{("seed_" + key): value for key, value in _api_error(exc, sql).items()},
        )
    audit_request(request, "migrations.seed", project_ref=ref, detail={"target": target.ref})
    return _page(request, ref, seed_done=f"Seed ran on {target.branch_name or 'production'} ({count} rows returned).")
