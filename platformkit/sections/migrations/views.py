"""Migrations: the ordered history of production or a branch, one migration's statements,
applying a new one (with its rollback), rolling back the latest, and seeding data (on a branch;
on production only with a separate, explicit confirmation)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from platformkit.access import project_view
from platformkit.api import errors
from platformkit.core import destructive, upstream
from platformkit.core.idempotency import idempotent
from platformkit.core.pgerrors import parse_error
from platformkit.core.post_only import post_form
from platformkit.core.rendering import render_page, url
from platformkit.core.targets import Target, request_target
from platformkit.sections.migrations import services as schema_changes
from platformkit.sections.migrations.forms import ApplyMigrationForm, RollbackForm, SeedForm, messages

TEMPLATE = "platformkit/migrations/list.html"


def _context(request: HttpRequest, ref: str, **extra: Any) -> dict[str, Any]:
    target = request_target(request)
    history = upstream.attempt(lambda: schema_changes.list_migrations(target.ref))
    return {
        "ref": ref,
        "history": history.value or [],
        "history_problem": history.problem,
        "rollback_preview": schema_changes.rollback_preview(target.ref, history.value or []),
        "seed_preview": destructive.Preview(
            "migrations.seed",
            "Run seed data on production",
            note="Seed data belongs on a branch: these rows land in production's tables, next to real users' data.",
        ),
        **destructive.taken_context(request, target),
        "form": {"name": "", "sql": "", "rollback": ""},
        "seed_form": {"sql": ""},
        "query": target.query,
        **extra,
    }


def _page(request: HttpRequest, ref: str, status: int = 200, **extra: Any) -> HttpResponse:
    return render_page(
        request, TEMPLATE, _context(request, ref, **extra), section="migrations", project_ref=ref, status=status
    )


# What an apply or a seed did rides in the address of the page it redirects to (an embed's frame
# has no session cookie for Django's messages), signed: a link cannot make the page claim that a
# migration was applied, and an old address stops saying so after a while.
_DONE_PARAM, _DONE_SALT, _DONE_MAX_AGE_SECONDS = "done", "platformkit.migrations.done", 15 * 60


def _done_url(request: HttpRequest, ref: str, done: str, value: str) -> str:
    """The history's address saying ``done=value`` (and the branch, as the form was sent)."""
    target = request_target(request)
    query = target.query
    signed = signing.dumps({done: value}, salt=_done_salt(target), compress=True)
    return url(request, "migrations", ref) + (query or "?") + ("&" if query else "") + urlencode({_DONE_PARAM: signed})


def _done_salt(target: Target) -> str:
    # For this project and this branch only: a token from another project's apply (anyone with
    # write access somewhere on the site can make one) or another branch says nothing here.
    return f"{_DONE_SALT}:{target.project_ref}:{target.ref}"


def _done(request: HttpRequest) -> dict[str, str]:
    salt = _done_salt(request_target(request))
    try:
        said = signing.loads(request.GET.get(_DONE_PARAM, ""), salt=salt, max_age=_DONE_MAX_AGE_SECONDS)
    except signing.BadSignature:  # none, forged, or too old: the page says nothing about it
        return {}
    return {key: value for key, value in said.items() if isinstance(value, str)} if isinstance(said, dict) else {}


@require_GET
@project_view("migrations")
def history(request: HttpRequest, ref: str) -> HttpResponse:
    where = request_target(request).branch_name or "production"
    done = _done(request)
    if "applied" in done:
        return _page(request, ref, apply_done=f"Migration {done['applied'][:200] or 'unnamed'} applied on {where}.")
    if "seeded" in done:
        count = done["seeded"]
        ran = f": {count} statement{'' if count == '1' else 's'} ran" if count.isdigit() and count != "0" else ""
        return _page(request, ref, seed_done=f"Seed ran on {where}{ran}.")
    return _page(request, ref)


@require_GET
@project_view("migrations")
def detail(request: HttpRequest, ref: str, version: str) -> HttpResponse:
    target = request_target(request)
    found = upstream.attempt(lambda: schema_changes.get_migration(target.ref, version))
    context = {"ref": ref, "migration": found.value, "problem": found.problem, "query": target.query}
    return render_page(request, "platformkit/migrations/detail.html", context, section="migrations", project_ref=ref)


def _api_error(exc: errors.APIError, sql: str) -> dict[str, Any]:
    if isinstance(exc, errors.ValidationError):
        return {"pg_error": parse_error(exc.message, sql)}
    return {"problem": upstream.describe(exc)}


@project_view("migrations", write=True)
@post_form("migrations")
@idempotent
def apply(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    form = ApplyMigrationForm(request.POST, project_ref=ref, production=target.is_production)
    if not form.is_valid():
        return _page(request, ref, status=400, form=form.typed(), apply_errors=messages(form))
    data = form.cleaned_data
    try:
        schema_changes.apply_migration(
            user=request.user,
            project_ref=ref,
            target_ref=target.ref,
            name=data["name"],
            sql=data["sql"],
            rollback=data["rollback"],
            idempotency_key=schema_changes.form_key(request.user, data["idempotency_key"]),
        )
    except errors.APIError as exc:
        return _page(
            request,
            ref,
            status=400 if isinstance(exc, errors.ValidationError) else 200,
            form=form.typed(),
            **_api_error(exc, data["sql"]),
        )
    return redirect(_done_url(request, ref, "applied", data["name"].strip() or "unnamed"))


@project_view("migrations", write=True, action="migrations.rollback")
@post_form("migrations")
@idempotent
def rollback(request: HttpRequest, ref: str) -> HttpResponse:
    target = request_target(request)
    form = RollbackForm(request.POST, action="migrations.rollback", target=target)
    if not form.is_valid():
        return _page(request, ref, status=400, rollback_error=messages(form)[0])
    version = form.cleaned_data["version"]
    try:
        taken = schema_changes.rollback_latest(user=request.user, target=target, version=version)
    except schema_changes.NoRollback as refused:
        return _page(request, ref, status=400, rollback_error=str(refused))
    except errors.APIError as exc:
        return _page(request, ref, status=400, rollback_error=upstream.describe(exc).message)
    return redirect(destructive.with_taken(url(request, "migrations", ref) + target.query, taken))


@project_view("migrations", write=True, action="migrations.seed")
@post_form("migrations")
@idempotent
def seed(request: HttpRequest, ref: str) -> HttpResponse:
    """Seed data goes into branches; production needs its own, explicit confirmation."""
    target = request_target(request)
    form = SeedForm(request.POST, target=target)
    if not form.is_valid():
        return _page(request, ref, status=400, seed_form=form.typed(), seed_errors=messages(form))
    sql = form.cleaned_data["sql"]
    try:
        taken = schema_changes.seed(user=request.user, target=target, sql=sql)
    except errors.APIError as exc:
        return _page(
            request,
            ref,
            status=400,
            seed_form=form.typed(),
            **{("seed_" + key): value for key, value in _api_error(exc, sql).items()},
        )
    # Redirected (POST, redirect, GET): reloading the page must not run the seed again. The
    # confirmation rides in the URL, not in Django's messages: an embed's frame has no session
    # cookie to carry them.
    statements = schema_changes.statement_count(sql)
    return redirect(destructive.with_taken(_done_url(request, ref, "seeded", str(statements or 0)), taken))
