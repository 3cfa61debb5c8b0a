"""The projects list and the create form (``platformkit.views.projects``), against the local
Management API over real HTTP and real PostgreSQL."""

from __future__ import annotations

import html
import logging
from typing import Any

import psycopg
import pytest
from django.test import Client
from django.urls import reverse

from platformkit import crypto
from platformkit.core.sections import all_sections
from platformkit.models import AuditEvent, Operation, ProjectCredential
from tests.dashboard.conftest import assert_valid_html, htmx_get

PROJECTS = reverse("platformkit:projects")
CREATE = reverse("platformkit:project-create")


def create_form(org: Any, **overrides: str) -> dict[str, str]:
    return {
        "name": "Launched from the form",
        "organization": org.slug,
        "region": "emea",
        "instance_size": "micro",
        **overrides,
    }


# --- the list ----------------------------------------------------------------------------------


def test_list_shows_projects_from_the_api(api: Any, make_project: Any, operator_client: Client) -> None:
    project = make_project("Listed <b>project</b>")
    response = operator_client.get(PROJECTS)
    assert response.status_code == 200
    page = response.content.decode()
    assert project.ref in page
    assert "Listed &lt;b&gt;project&lt;/b&gt;" in page, "names are escaped"
    assert reverse("platformkit:project", args=[project.ref]) in page
    assert "pk-badge" in page and project.region in page
    assert_valid_html(page)


def test_list_page_is_a_complete_accessible_shell(api: Any, operator_client: Client) -> None:
    page = operator_client.get(PROJECTS).content.decode()
    assert '<a class="pk-skip" href="#pk-page">' in page and 'id="pk-page"' in page
    assert "<main" in page and 'aria-label="Dashboard sections"' in page
    for label in ["Projects", "Branches", "SQL", "Migrations", "Functions", "Restore points", "Advisors", "Logs"]:
        assert f">{label}" in page

    assert page.count("<small>soon</small>") == sum(1 for section in all_sections() if section.url_name is None)
    assert 'aria-current="page"' in page
    assert "platformkit/platformkit.css" in page and "htmx" in page


def test_htmx_request_gets_only_the_table(api: Any, make_project: Any, operator_client: Client) -> None:
    project = make_project()
    response = htmx_get(operator_client, PROJECTS)
    fragment = response.content.decode()
    assert project.ref in fragment
    assert "<html" not in fragment and 'id="pk-project-table"' in fragment
    assert "HX-Request" in response["Vary"]
    assert_valid_html(fragment, fragment=True)


@pytest.mark.parametrize("failure", ["closed_port", "wrong_token"])
def test_upstream_failure_shows_the_error_panel(
    api: Any, operator_client: Client, settings: Any, closed_port_url: str, failure: str
) -> None:
    broken = {"API_URL": closed_port_url} if failure == "closed_port" else {"API_TOKEN": "wrong-token-value"}
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, **broken, "MAX_RETRIES": 0, "RETRY_DEADLINE": 2}
    response = operator_client.get(PROJECTS)
    page = response.content.decode()
    assert response.status_code == 200, "the page itself still renders"
    assert "<h1>Projects</h1>" in page
    expected = "unreachable" if failure == "closed_port" else "auth"
    assert f'data-upstream-error="{expected}"' in page
    assert "Traceback" not in page and "wrong-token-value" not in page and api.token not in page
    assert 'hx-get="/platform/"' in page, "a retry button for HTMX"
    assert_valid_html(page)
    retry = htmx_get(operator_client, PROJECTS)
    assert retry.status_code == 200 and f'data-upstream-error="{expected}"' in retry.content.decode()


# --- creating ----------------------------------------------------------------------------------


def test_create_form_lists_organizations(api: Any, organization: Any, operator_client: Client) -> None:
    response = operator_client.get(CREATE)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{organization.slug}"' in page
    for group in ["americas", "emea", "apac"]:
        assert f'value="{group}"' in page
    assert '<label for="id_name">Project name</label>' in page
    assert_valid_html(page)


def test_create_launches_and_keeps_only_ciphertext(
    api: Any, organization: Any, operator_client: Client, operator: Any, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    response = operator_client.post(CREATE, create_form(organization))

    operation = Operation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("platformkit:project", args=[operation.project_ref])
    assert (operation.kind, operation.status, operation.created_by) == ("project.create", "pending", operator)
    assert operation.params == {
        "name": "Launched from the form",
        "organization_slug": organization.slug,
        "region": "emea",
        "instance_size": "micro",
    }

    credential = ProjectCredential.objects.get(project_ref=operation.project_ref)
    password = credential.reveal_db_password()
    assert len(password) >= 32 and password not in credential.db_password_ciphertext
    assert crypto.decrypt(credential.db_password_ciphertext) == password

    # The local API made a real database whose owner logs in with exactly that password.
    ref = operation.project_ref
    with psycopg.connect(api.api.instances.instance(ref).direct_url(password)) as conn:  # its own instance, over TCP
        assert conn.execute("select current_user, current_setting('is_superuser')").fetchone() == ("postgres", "off")

    # Nothing rendered or logged carries it.
    follow = operator_client.get(response["Location"])
    bodies = [response.content, follow.content, operator_client.get(PROJECTS).content]
    bodies.append(operator_client.get(reverse("platformkit:operation", args=[operation.pk])).content)
    assert all(password.encode() not in body for body in bodies)
    assert all(password not in record.getMessage() and password not in str(record.args) for record in caplog.records)
    assert_valid_html(follow.content)

    event = AuditEvent.objects.get(action="project.create")
    assert (event.actor, event.project_ref, event.outcome) == (operator, ref, "success")
    assert password not in str(event.detail)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 300}, "name"),
        ({"region": "mars"}, "region"),
        ({"instance_size": "galactic"}, "instance_size"),
        ({"organization": "not-an-org"}, "organization"),
    ],
)
def test_invalid_input_shows_errors_and_keeps_values(
    api: Any, organization: Any, operator_client: Client, overrides: dict[str, str], field: str
) -> None:
    data = create_form(organization, **{"name": "Keep <this> name", **overrides})
    response = operator_client.post(CREATE, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<div class="pk-field__error" id="id_{field}_error">' in page
    assert 'aria-invalid="true"' in page
    if field != "name":
        assert 'value="Keep &lt;this&gt; name"' in page, "what the user typed is kept"
    assert f'<option value="{data["instance_size"]}" selected>' in page or field == "instance_size"
    assert Operation.objects.count() == 0
    assert_valid_html(page)


def test_create_is_csrf_protected(api: Any, organization: Any, operator: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    assert client.post(CREATE, create_form(organization)).status_code == 403
    assert Operation.objects.count() == 0

    page = client.get(CREATE).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert client.post(CREATE, {**create_form(organization), "csrfmiddlewaretoken": token}).status_code == 302


def test_create_while_upstream_is_down_keeps_values(
    api: Any, organization: Any, operator_client: Client, settings: Any, closed_port_url: str
) -> None:
    page_with_orgs = operator_client.get(CREATE)
    assert page_with_orgs.status_code == 200
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_URL": closed_port_url, "MAX_RETRIES": 0}
    response = operator_client.post(CREATE, create_form(organization, name="Typed while down"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-upstream-error="unreachable"' in page
    assert 'value="Typed while down"' in page and f'value="{organization.slug}" selected' in page
    assert Operation.objects.count() == 0
    assert_valid_html(page)


def test_create_without_encryption_keys_launches_nothing(
    api: Any, organization: Any, operator_client: Client, upstream: Any, settings: Any
) -> None:
    before = {project.ref for project in upstream.projects.list()}
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "ENCRYPTION_KEYS": []}
    operator_client.raise_request_exception = True  # a traceback would fail here, not become a 500
    response = operator_client.post(CREATE, create_form(organization))
    assert response.status_code == 503
    assert 'PLATFORMKIT["ENCRYPTION_KEYS"]' in html.unescape(response.content.decode())
    # No project whose password could not be kept: nothing upstream, nothing half-recorded.
    assert {project.ref for project in upstream.projects.list()} == before
    assert not Operation.objects.exists() and not ProjectCredential.objects.exists()
