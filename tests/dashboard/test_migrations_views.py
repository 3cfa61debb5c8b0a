"""The migrations pages' refusals through the views: each form error answers 400 with its
message and what was typed; failures upstream are audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.models import AuditEvent
from tests.dashboard.test_sql_editor import _active


@pytest.fixture
def project_ref(api: Any, upstream: Any, make_project: Any) -> str:
    return _active(upstream, make_project)


def test_apply_refusals_keep_what_was_typed(operator_client: Client, project_ref: str, upstream: Any) -> None:
    url = reverse("platformkit:migrations-apply", args=[project_ref])
    empty = operator_client.post(url, {"name": "nothing", "sql": "  ", "rollback": "drop table t"})
    html = empty.content.decode()
    assert empty.status_code == 400 and "<li>Write the migration&#x27;s SQL.</li>" in html
    assert 'value="nothing"' in html and ">drop table t</textarea>" in html
    failed = operator_client.post(
        url, {"name": " bad ", "sql": "create tabel x (id int)", "confirm_production": project_ref}
    )
    assert failed.status_code == 400 and "syntax error" in failed.content.decode()
    event = AuditEvent.objects.get(action="migrations.apply")
    assert event.outcome == "failure" and event.detail == {"target": project_ref, "name": " bad "}
    assert upstream.database.list_migrations(project_ref) == []


def test_apply_audits_success_with_the_name_as_typed(
    operator_client: Client, project_ref: str, upstream: Any, make_project: Any
) -> None:
    response = operator_client.post(
        reverse("platformkit:migrations-apply", args=[project_ref]),
        {"name": " notes ", "sql": "create table public.notes (id int)", "confirm_production": project_ref},
    )
    assert response.status_code == 302
    # The page it lands on says what was applied where, above the history that now lists it.
    shown = operator_client.get(response["Location"]).content.decode()
    assert '<p class="pk-notice" role="status" data-apply-done>Migration notes applied on production.</p>' in shown
    assert [m.name for m in upstream.database.list_migrations(project_ref)] == ["notes"]
    event = AuditEvent.objects.get(action="migrations.apply")
    assert event.outcome == "success" and event.detail == {"target": project_ref, "name": " notes "}
    # A link cannot make the page say so: the confirmation is signed (and escaped when shown).
    history = reverse("platformkit:migrations", args=[project_ref])
    for forged in ("?applied=dropped_everything", "?done=dropped_everything", "?done=" + "x" * 40 + ":abc"):
        assert "data-apply-done" not in operator_client.get(history + forged).content.decode(), forged
    marked = operator_client.post(
        reverse("platformkit:migrations-apply", args=[project_ref]),
        {"name": "<b>x</b>", "sql": "create table public.x (id int)", "confirm_production": project_ref},
    )
    assert "Migration &lt;b&gt;x&lt;/b&gt; applied" in operator_client.get(marked["Location"]).content.decode()
    # Nor can a token made on one project (or branch) speak on another's page.
    token = marked["Location"].partition("done=")[2]
    other = _active(upstream, make_project)
    elsewhere = operator_client.get(reverse("platformkit:migrations", args=[other]) + "?done=" + token)
    assert elsewhere.status_code == 200 and "data-apply-done" not in elsewhere.content.decode()


def test_rollback_needs_the_box(operator_client: Client, project_ref: str, upstream: Any) -> None:
    upstream.database.apply_migration(project_ref, query="create table public.kept (id int)", name="kept")
    response = operator_client.post(reverse("platformkit:migrations-rollback", args=[project_ref]), {"version": "1"})
    assert response.status_code == 400 and "Tick the box to confirm the rollback." in response.content.decode()
    assert not AuditEvent.objects.exists()
    assert [m.name for m in upstream.database.list_migrations(project_ref)] == ["kept"]


def test_seed_needs_sql_and_production_audits_it(operator_client: Client, project_ref: str, upstream: Any) -> None:
    url = reverse("platformkit:migrations-seed", args=[project_ref])
    empty = operator_client.post(url, {"sql": " "})
    assert empty.status_code == 400 and "<li>Write the inserts to run.</li>" in empty.content.decode()
    upstream.database.query(project_ref, "create table public.seeded (id int)")
    # Production asks for its ref, as every destructive action does (the old phrase is refused).
    refused = operator_client.post(
        url, {"sql": "insert into public.seeded values (1)", "confirm_production_seed": "seed production"}
    )
    assert refused.status_code == 400 and f"Type the project ref {project_ref} to confirm" in refused.content.decode()
    assert upstream.database.query(project_ref, "select count(*) as n from public.seeded") == [{"n": 0}]
    page = operator_client.get(reverse("platformkit:migrations", args=[project_ref])).content.decode()
    seed_form = page.split('id="pk-seed-title"')[1]
    assert 'data-destructive-preview="migrations.seed"' in seed_form and "data-confirm-ref" in seed_form
    seeded = operator_client.post(
        url,
        {
            "sql": "insert into public.seeded values (1);\ninsert into public.seeded values (2)",
            "confirm_ref": project_ref,
        },
    )
    assert seeded.status_code == 302
    assert "Seed ran on production: 2 statements ran." in operator_client.get(seeded["Location"]).content.decode()
    failed = operator_client.post(url, {"sql": "insert into nowhere values (1)", "confirm_ref": project_ref})
    assert failed.status_code == 400 and ">insert into nowhere values (1)</textarea>" in failed.content.decode()
    assert upstream.database.query(project_ref, "select count(*) as n from public.seeded") == [{"n": 2}]
    assert [(e.outcome, e.detail) for e in AuditEvent.objects.filter(action="migrations.seed").order_by("pk")] == [
        ("success", {"target": project_ref}),
        ("failure", {"target": project_ref}),
    ]
