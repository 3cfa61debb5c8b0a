"""A permission set is enforced on the server: hidden sections are 404, read-only sections
refuse writes, denied actions are 403, and writes from another site are refused."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from platformkit.models import AuditEvent, EmbedSession, QueryRun, RestorePoint, SavedQuery
from tests.dashboard.test_lifecycle import healthy
from tests.embed.conftest import HOST

REF = "aaaaaaaaaaaaaaaaaaaa"


def token(client: Any) -> dict[str, str]:
    return {"HTTP_X_CSRFTOKEN": EmbedSession.objects.latest("pk").csrf_secret}


def test_sections_not_granted_are_404_and_projects_list_is_out_of_reach(embed_client: Any, api: Any) -> None:
    client = embed_client(REF, {"sections": {"restore_points": "read"}})
    assert client.get(reverse("platformkit:sql", args=[REF])).status_code == 404
    assert client.get(reverse("platformkit:branches", args=[REF])).status_code == 404
    assert client.get(reverse("platformkit:projects")).status_code == 404
    assert client.get(reverse("platformkit:project-create")).status_code == 404
    page = client.get(reverse("platformkit:restore-points", args=[REF]))
    assert page.status_code == 200 and page["Content-Security-Policy"] == f"frame-ancestors {HOST}"
    assert b'href="/platform/projects/aaaaaaaaaaaaaaaaaaaa/sql/"' not in page.content  # not offered either


def test_read_only_section_refuses_writes(embed_client: Any) -> None:
    client = embed_client(REF, {"sections": {"restore_points": "read"}})
    response = client.post(reverse("platformkit:restore-point-create", args=[REF]), {"name": "x"}, **token(client))
    assert response.status_code == 403 and b'data-embed-error="403"' in response.content
    assert RestorePoint.objects.count() == 0


def test_denied_action_is_403_even_in_a_writable_section(embed_client: Any) -> None:
    client = embed_client(REF, {"sections": {"restore_points": "write"}, "deny": ["restore_points.pitr"]})
    assert client.get(reverse("platformkit:restore-points-pitr", args=[REF])).status_code == 403


def test_cross_site_write_is_refused_and_same_origin_write_is_recorded_as_the_end_user(
    embed_client: Any, api: Any, make_project: Any
) -> None:
    project = make_project("Embedded")
    client = embed_client(project.ref, {"sections": {"restore_points": "write"}})
    url = reverse("platformkit:restore-point-create", args=[project.ref])
    assert client.post(url, {"name": "x"}, HTTP_SEC_FETCH_SITE="cross-site", **token(client)).status_code == 403
    assert client.post(url, {"name": "x"}).status_code == 403  # no token
    response = client.post(url, {"name": "from-embed"}, HTTP_SEC_FETCH_SITE="same-origin", **token(client))
    assert response.status_code in (302, 200, 400)
    event = AuditEvent.objects.filter(action="restore_points.create").latest("pk")
    assert event.actor_label == "embed:end-user-7" and event.actor is None


def test_embed_pages_use_the_embed_shell_with_the_theme(embed_client: Any, api: Any) -> None:
    client = embed_client(REF, {"sections": {"restore_points": "read"}}, theme={"--pk-accent": "#ff0066"})
    page = client.get(reverse("platformkit:restore-points", args=[REF])).content.decode()
    assert "--pk-accent: #ff0066" in page and f'data-host-origin="{HOST}"' in page and "pk-shell--embed" in page
    assert 'class="pk-brand" href="/platform/"' not in page  # no way out to the operator dashboard
    assert "csrftoken" not in client.cookies  # the session's CSRF secret never leaves as a cookie


def test_sql_history_and_snippets_belong_to_the_end_user(
    embed_client: Any, api: Any, make_project: Any, upstream: Any, operator_client: Any
) -> None:
    project = make_project("Embedded SQL")
    healthy(upstream, project.ref)
    grant = {"sections": {"sql": "read"}}
    client = embed_client(project.ref, grant)
    run = client.post(
        reverse("platformkit:sql-run", args=[project.ref]),
        {"sql": "select 41 + 1 as answer", "read_only": "on"},
        HTTP_SEC_FETCH_SITE="same-origin",
        HTTP_HX_REQUEST="true",
        **token(client),
    )
    assert run.status_code == 200 and b"42" in run.content
    saved = client.post(
        reverse("platformkit:sql-save", args=[project.ref]),
        {"name": "the answer", "sql": "select 42"},
        HTTP_SEC_FETCH_SITE="same-origin",
        **token(client),
    )
    assert saved.status_code == 302
    assert QueryRun.objects.get().embed_subject == "end-user-7" and SavedQuery.objects.get().user is None

    again = embed_client(project.ref, grant)  # a later session of the same end-user
    page = again.get(reverse("platformkit:sql", args=[project.ref])).content.decode()
    assert "select 41 + 1 as answer" in page and "the answer" in page
    history_link = reverse("platformkit:sql", args=[project.ref]) + f"?history={QueryRun.objects.get().pk}"
    assert "select 41 + 1 as answer</textarea>" in again.get(history_link).content.decode()

    for stranger in (embed_client(project.ref, grant, subject="someone-else"), operator_client):
        page = stranger.get(reverse("platformkit:sql", args=[project.ref])).content.decode()
        assert "select 41 + 1" not in page and "the answer" not in page
        assert "select 41 + 1" not in stranger.get(history_link).content.decode()


def test_the_setup_page_in_an_embed_does_not_leak_the_session_csrf_secret(embed_client: Any, settings: Any) -> None:
    client = embed_client(REF, {"sections": {"sql": "read"}})
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_TOKEN": ""}
    client.cookies["csrftoken"] = "malformed"  # makes Django's CSRF middleware want to reset it
    response = client.get(reverse("platformkit:sql", args=[REF]))
    assert response.status_code == 503
    assert "csrftoken" not in response.cookies


def test_an_error_page_in_an_embed_does_not_leak_the_session_csrf_secret(embed_client: Any, api: Any) -> None:
    client = embed_client(REF, {"sections": {"functions": "read"}})
    client.cookies["csrftoken"] = "malformed"
    response = client.get(reverse("platformkit:function", args=[REF, "no-such-function"]))
    assert response.status_code == 404
    assert "csrftoken" not in response.cookies


def test_an_embed_is_offered_only_what_it_may_do(
    embed_client: Any, api: Any, make_project: Any, upstream: Any, operator_client: Any
) -> None:
    project = make_project("Offered")
    healthy(upstream, project.ref)
    overview = reverse("platformkit:project", args=[project.ref])
    # The operator sees the lifecycle actions...
    page = operator_client.get(overview).content.decode()
    assert "Pause project" in page and "Delete project…" in page
    # ...an embed (the projects section is never granted to one) does not, nor a button that 403s.
    client = embed_client(
        project.ref, {"sections": {"sql": "read", "restore_points": "write"}, "deny": ["restore_points.pitr"]}
    )
    page = client.get(overview).content.decode()
    assert "Pause project" not in page and "Delete project…" not in page
    editor = client.get(reverse("platformkit:sql", args=[project.ref])).content.decode()
    assert "data-read-only-session" in editor and 'name="read_only" value="on"' in editor
    assert '<input type="checkbox" name="read_only"' not in editor  # nothing to untick into a 403
    timeline = client.get(reverse("platformkit:restore-points", args=[project.ref])).content.decode()
    assert reverse("platformkit:restore-points-pitr", args=[project.ref]) not in timeline
    assert "Create restore point" in timeline  # what it may do is still offered
    operator_timeline = operator_client.get(reverse("platformkit:restore-points", args=[project.ref])).content.decode()
    assert reverse("platformkit:restore-points-pitr", args=[project.ref]) in operator_timeline


def test_a_read_only_migrations_embed_offers_no_apply_rollback_or_seed(
    embed_client: Any, api: Any, make_project: Any, upstream: Any, operator_client: Any
) -> None:
    project = make_project("Migrations offered")
    healthy(upstream, project.ref)
    upstream.database.apply_migration(
        project.ref, query="create table public.a (id int)", name="a", rollback="drop table public.a"
    )
    url = reverse("platformkit:migrations", args=[project.ref])
    forms = ("migrations-apply", "migrations-rollback", "migrations-seed")
    operator_page = operator_client.get(url).content.decode()
    assert all(reverse(f"platformkit:{name}", args=[project.ref]) in operator_page for name in forms)
    page = embed_client(project.ref, {"sections": {"migrations": "read"}}).get(url).content.decode()
    assert "data-migration-history" in page and " a</li>" in page  # the history is still shown
    assert not any(reverse(f"platformkit:{name}", args=[project.ref]) in page for name in forms)
    denied = embed_client(project.ref, {"sections": {"migrations": "write"}, "deny": ["migrations.seed"]})
    page = denied.get(url).content.decode()
    assert reverse("platformkit:migrations-apply", args=[project.ref]) in page
    assert reverse("platformkit:migrations-seed", args=[project.ref]) not in page


def test_a_read_only_restore_points_embed_offers_no_create_form(
    embed_client: Any, api: Any, make_project: Any, upstream: Any
) -> None:
    project = make_project("Read-only points")
    healthy(upstream, project.ref)
    page = embed_client(project.ref, {"sections": {"restore_points": "read"}}).get(
        reverse("platformkit:restore-points", args=[project.ref])
    )
    assert page.status_code == 200 and "Create restore point" not in page.content.decode()


def test_a_seed_in_an_embed_says_it_ran(embed_client: Any, api: Any, make_project: Any, upstream: Any) -> None:
    project = make_project("Seeded in a frame")
    healthy(upstream, project.ref)
    upstream.database.query(project.ref, "create table public.s (id int)")
    client = embed_client(project.ref, {"sections": {"migrations": "write"}})
    seeded = client.post(
        reverse("platformkit:migrations-seed", args=[project.ref]),
        {"sql": "insert into public.s values (1)", "confirm_ref": project.ref},
        **token(client),
    )
    assert seeded.status_code == 302  # a reload cannot run it again...
    shown = client.get(seeded["Location"]).content.decode()
    assert "data-seed-done" in shown and "Seed ran on production: 1 statement ran." in shown  # ...no session needed
