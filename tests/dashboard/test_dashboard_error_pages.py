"""Something missing inside the dashboard answers the dashboard's own 404 page: the shell and
its navigation, what was asked for (escaped), a way back to where such things are listed —
not the host's 404 page nor Django's debug page, whatever the host's DEBUG."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.dashboard.conftest import assert_valid_html

pytestmark = pytest.mark.django_db
UNKNOWN_REF = "zzzzzzzzzzzzzzzzzzzz"


def _back(response: Any) -> str:
    match = re.search(r'href="([^"]*)" data-not-found-back', response.content.decode())
    assert match, response.content.decode()
    return match.group(1).replace("&amp;", "&")


def _nav_labels(response: Any) -> list[str]:
    nav = re.search(r'<nav class="pk-nav".*?</nav>', response.content.decode(), re.S)
    assert nav, response.content.decode()
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(0))


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request: Any, settings: Any) -> bool:
    settings.DEBUG = request.param
    return bool(request.param)


def _assert_dashboard_404(response: Any) -> str:
    assert response.status_code == 404
    text = response.content.decode()
    assert "data-not-found" in text and 'class="pk-shell' in text
    assert "Technical" not in text and "Page not found (404)" not in text  # not Django's debug page
    assert "Acme Builder" in text  # the dashboard's shell inside the host's layout, as every page
    assert_valid_html(text)
    return text


def test_unknown_project(operator_client: Client, api: Any, debug: bool) -> None:
    response = operator_client.get(f"/platform/projects/{UNKNOWN_REF}/")
    text = _assert_dashboard_404(response)
    assert f"/platform/projects/{UNKNOWN_REF}/" in text
    assert _back(response) == "/platform/"  # the projects list
    assert _nav_labels(response)[0] == "Projects"


def test_unknown_branch_leads_back_to_the_section_on_production(
    operator_client: Client, make_project: Any, debug: bool
) -> None:
    ref = make_project("Branchy").ref
    response = operator_client.get(f"/platform/projects/{ref}/functions/?branch=no-such-branch")
    _assert_dashboard_404(response)
    assert _back(response) == f"/platform/projects/{ref}/functions/"
    assert {"Functions", "Migrations", "Settings"} <= set(_nav_labels(response))  # the project's navigation


def test_unknown_function_slug(operator_client: Client, make_project: Any, debug: bool) -> None:
    ref = make_project("Functionless").ref
    response = operator_client.get(f"/platform/projects/{ref}/functions/no-such-fn/")
    text = _assert_dashboard_404(response)
    assert f"/platform/projects/{ref}/functions/no-such-fn/" in text
    assert _back(response) == f"/platform/projects/{ref}/functions/"
    assert "Functions" in _nav_labels(response)
    assert "Functionless" in text  # the banner names the project


def test_the_asked_for_path_is_escaped(operator_client: Client, make_project: Any) -> None:
    ref = make_project("Escapes").ref
    response = operator_client.get(f"/platform/projects/{ref}/users/%3Cimg%20src%3Dx%3E/")
    text = _assert_dashboard_404(response)
    assert "<img src=x>" not in text and "/users/&lt;img src=x&gt;/" in text
    assert _back(response) == f"/platform/projects/{ref}/users/"


def test_at_the_gate_the_host_answers(client: Client, api: Any, make_user: Any) -> None:
    """No dashboard access: the host's plain 404 page, nothing about the dashboard."""
    client.force_login(make_user("member"))
    response = client.get(f"/platform/projects/{UNKNOWN_REF}/")
    assert response.status_code == 403 and "data-not-found" not in response.content.decode()


def test_a_refusal_raised_by_a_view_answers_inside_its_section(
    operator_client: Client, make_project: Any, debug: bool
) -> None:
    """The operator may not reveal stored credentials: a full-page POST gets the section's
    refusal page (navigation, a way back), not the host's bare 403."""
    ref = make_project("Guarded").ref
    response = operator_client.post(f"/platform/projects/{ref}/password/reveal/", {"confirm": "yes"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "data-refused" in text and 'class="pk-shell' in text and "Overview" in _nav_labels(response)
    assert re.search(rf'href="/platform/projects/{ref}/[^"]*" data-refused-back', text)
    assert_valid_html(text)
