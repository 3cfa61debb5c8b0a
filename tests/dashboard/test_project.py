"""One project's page (``platformkit.views.project``): overview, health, progress, reveal."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.access import Access
from platformkit.models import AuditEvent
from platformkit.sections.projects import services as project_services
from tests.dashboard.conftest import assert_valid_html, htmx_get


def detail_url(ref: str) -> str:
    return reverse("platformkit:project", args=[ref])


def test_overview_shows_project_database_and_health(api: Any, make_project: Any, operator_client: Client) -> None:
    project = make_project("Overview <i>me</i>")
    response = operator_client.get(detail_url(project.ref))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Overview &lt;i&gt;me&lt;/i&gt;</h1>" in page
    assert project.region in page and project.organization_slug in page
    assert "Database host" in page and "Postgres version" in page
    for service in ["db", "auth", "rest", "storage", "realtime"]:
        assert f"<span>{service}</span>" in page
    assert "data-operation-status" not in page, "no operation for a project we did not launch"
    assert "Reveal password" not in page
    assert "HX-Request" in response["Vary"]
    assert_valid_html(page)


def test_htmx_refresh_returns_the_overview_region(api: Any, make_project: Any, operator_client: Client) -> None:
    project = make_project()
    fragment = htmx_get(operator_client, detail_url(project.ref)).content.decode()
    assert fragment.lstrip().startswith('<div id="pk-project-overview"')
    assert "<h1>" not in fragment
    assert_valid_html(fragment, fragment=True)


def test_launched_project_shows_live_progress(
    api: Any, organization: Any, operator: Any, operator_client: Client
) -> None:
    operation = project_services.launch_project(
        user=operator, name="Coming up", organization_slug=organization.slug, region_code="emea", instance_size="micro"
    )
    page = operator_client.get(detail_url(operation.project_ref)).content.decode()
    assert "<h1>Coming up</h1>" in page
    assert f'data-operation-status="{operation.status}"' in page and 'hx-trigger="every 2s"' in page
    assert_valid_html(page)


def test_unknown_project_is_404(api: Any, operator_client: Client) -> None:
    assert operator_client.get(detail_url("zzzzzzzzzzzzzzzzzzzz")).status_code == 404


def test_upstream_down_still_renders_the_page(
    api: Any, organization: Any, operator: Any, operator_client: Client, settings: Any, closed_port_url: str
) -> None:
    operation = project_services.launch_project(
        user=operator,
        name="Launched before the outage",
        organization_slug=organization.slug,
        region_code="emea",
        instance_size="micro",
    )
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_URL": closed_port_url, "MAX_RETRIES": 0}
    response = operator_client.get(detail_url(operation.project_ref))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Launched before the outage</h1>" in page, "the name we asked for stands in"
    assert page.count('data-upstream-error="unreachable"') == 2
    assert "data-operation-status" in page, "progress comes from our database, not upstream"
    assert_valid_html(page)


# --- revealing the stored password -------------------------------------------------------------


@pytest.fixture
def keeper_client(make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("keeper", "use_dashboard", "reveal_credential"))
    return client


@pytest.fixture
def launched(api: Any, organization: Any, operator: Any) -> Any:
    return project_services.launch_project(
        user=operator,
        name="Has a password",
        organization_slug=organization.slug,
        region_code="emea",
        instance_size="micro",
    )


def reveal_url(ref: str) -> str:
    return reverse("platformkit:project-reveal-password", args=[ref])


def test_reveal_is_offered_confirmed_posted_and_audited(launched: Any, keeper_client: Client) -> None:
    ref = launched.project_ref
    page = keeper_client.get(detail_url(ref)).content.decode()
    assert "Reveal password" in page and f'action="{reveal_url(ref)}"' in page

    opened = keeper_client.get(reveal_url(ref))  # POST only: the address opened leads to the form's page
    assert opened.status_code == 302 and opened["Location"] == detail_url(ref)
    unconfirmed = keeper_client.post(reveal_url(ref))
    assert unconfirmed.status_code == 302 and not AuditEvent.objects.filter(action="project.password.reveal").exists()

    # Post/redirect/get: the POST shows nothing, a one-time no-store GET shows the password.
    posted = keeper_client.post(reveal_url(ref), {"confirm": "yes"})
    password = project_services.reveal_db_password(None, ref)
    assert posted.status_code == 302 and password not in posted.content.decode()
    response = keeper_client.get(posted["Location"])
    assert response.status_code == 200 and password in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert_valid_html(response.content)
    event = AuditEvent.objects.filter(action="project.password.reveal", actor_label="keeper").get()
    assert (event.actor_label, event.project_ref, event.outcome) == ("keeper", ref, "success")
    # Reload or Back: the token is spent, the password is not shown again, nothing more is audited.
    again = keeper_client.get(posted["Location"])
    assert password not in again.content.decode() and b"data-reveal-spent" in again.content
    assert AuditEvent.objects.filter(action="project.password.reveal", actor_label="keeper").count() == 1


def test_reveal_needs_the_permission(launched: Any, operator_client: Client) -> None:
    assert "Reveal password" not in operator_client.get(detail_url(launched.project_ref)).content.decode()
    assert operator_client.post(reveal_url(launched.project_ref), {"confirm": "yes"}).status_code == 403


def read_only_revealer(user: Any) -> Access:
    return Access(changeable_refs=frozenset(), can_reveal_credentials=True)


def test_reveal_needs_change_access_to_the_project(launched: Any, operator_client: Client, settings: Any) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "PERMISSION_POLICY": f"{__name__}.read_only_revealer"}
    assert operator_client.post(reveal_url(launched.project_ref), {"confirm": "yes"}).status_code == 403


def test_reveal_is_csrf_protected(launched: Any, make_user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("keeper", "use_dashboard", "reveal_credential"))
    assert client.post(reveal_url(launched.project_ref), {"confirm": "yes"}).status_code == 403
    assert not AuditEvent.objects.filter(action="project.password.reveal").exists()
