"""The demo host page: an operator picks the project and the permission set of the embedded
dashboard; the link is minted server-side for exactly that choice, the choice is a
CSRF-checked POST followed by a redirect, and only dashboard operators may mint."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from platformkit.models import EmbedGrant
from tests.dashboard.conftest import point_site_at
from tests.embed.conftest import HOST

pytestmark = pytest.mark.django_db
HOST_HEADER = HOST.removeprefix("http://")


def _embed_src(response: Any) -> str:
    match = re.search(r'<iframe id="platformkit-frame"[^>]* src="([^"]+)"', response.content.decode())
    assert match, response.content.decode()
    return match.group(1).replace("&amp;", "&")


@pytest.fixture
def api(empty_localapi: Any, settings: Any) -> Any:
    """The page lists every project of the token, the first one framed by default: a local API
    of its own, with no project but this test's."""
    return point_site_at(empty_localapi, settings)


@pytest.fixture
def two_projects(api: Any, upstream: Any, make_project: Any) -> tuple[Any, Any]:
    assert upstream.projects.list() == []
    return make_project("First app"), make_project("Second <app>")


def test_the_picker_frames_the_chosen_project_with_the_chosen_permission_set(operator: Any, two_projects: Any) -> None:
    first, second = two_projects
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(operator)

    page = browser.get("/host/", HTTP_HOST=HOST_HEADER)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Second &lt;app&gt;" in text and "Second <app>" not in text  # listed, escaped
    assert page["Cache-Control"].startswith("max-age=0")  # the page carries a one-time link
    # By default: the first project, the developer set (restore points writable).
    grant = EmbedGrant.objects.get()
    assert grant.project_ref == first.ref and grant.permissions["sections"]["restore_points"] == "write"
    assert _embed_src(page).startswith("http://127.0.0.1:9000/platform/embed/start/?token=")

    # A forged form (no CSRF token) changes nothing.
    forged = browser.post("/host/", {"project": second.ref, "permissions": "read-only"}, HTTP_HOST=HOST_HEADER)
    assert forged.status_code == 403

    csrf = page.context["csrf_token"]
    chosen = browser.post(
        "/host/",
        {"project": second.ref, "permissions": "read-only", "csrfmiddlewaretoken": str(csrf)},
        HTTP_HOST=HOST_HEADER,
    )
    assert chosen.status_code == 302 and chosen["Location"] == "/host/"  # then a GET: a reload never re-posts
    assert EmbedGrant.objects.count() == 1  # the POST only records the choice

    page = browser.get("/host/", HTTP_HOST=HOST_HEADER)
    grant = EmbedGrant.objects.latest("pk")
    assert grant.project_ref == second.ref
    assert grant.permissions == {
        "sections": dict.fromkeys(["sql", "migrations", "branches", "restore_points", "advisors", "logs"], "read"),
        "deny": [],
    }
    assert 'value="read-only" selected' in page.content.decode()
    from django.conf import settings

    assert settings.PLATFORMKIT["API_TOKEN"] not in page.content.decode()  # only the scoped link reaches the browser

    # The link opens a session on that project with that permission set, once.
    frame = Client()
    start = frame.get(_embed_src(page).removeprefix("http://127.0.0.1:9000"))
    assert start.status_code == 303 and start["Location"] == f"/platform/projects/{second.ref}/"
    assert frame.get(f"/platform/projects/{first.ref}/").status_code == 404  # no other project


def test_a_choice_outside_the_lists_is_refused_plainly(operator: Any, two_projects: Any) -> None:
    browser = Client()
    browser.force_login(operator)
    answer = browser.post("/host/", {"project": "zzzzzzzzzzzzzzzzzzzz", "permissions": "root"}, HTTP_HOST=HOST_HEADER)
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Pick one of the listed projects." in text and "Pick one of the listed permission sets." in text
    assert EmbedGrant.objects.count() == 0  # no link for a refused choice
    assert "<iframe" not in text


def test_only_dashboard_operators_mint_links(api: Any) -> None:
    anonymous = Client()
    assert anonymous.get("/host/", HTTP_HOST=HOST_HEADER).status_code == 302  # to the host's login
    member = get_user_model().objects.create_user("member", password="pw")  # signed in, not an operator
    browser = Client()
    browser.force_login(member)
    assert browser.get("/host/", HTTP_HOST=HOST_HEADER).status_code == 403
    assert (
        browser.post("/host/", {"project": "x", "permissions": "read-only"}, HTTP_HOST=HOST_HEADER).status_code == 403
    )
    assert EmbedGrant.objects.count() == 0
