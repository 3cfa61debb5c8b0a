"""Storage, Connect and the Audit trail in headless Chromium: a bucket made with SQL seen
through the navigation; the connection string revealed (and used with psycopg when the
project's host is reachable over TCP); the audit trail filtered to that reveal."""

from __future__ import annotations

import time

import pytest

from platformkit.models import AuditEvent, ProjectCredential
from tests.system.test_browser import _artifacts, browser_page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def operator(transactional_db):
    """The browser operator, allowed to reveal stored credentials (created before Playwright's loop)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("browser-operator", password="correct horse", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="platformkit", codename="reveal_credential")
    )
    return user


@pytest.fixture
def launched(localapi, settings):
    """A project whose password platformkit keeps, as when it launched the project itself."""
    from platformkit.api import ManagementClient
    from platformkit.sections.projects.services import generate_db_password

    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_URL": localapi.base_url, "API_TOKEN": localapi.token}
    password = generate_db_password()
    with ManagementClient(localapi.token, base_url=localapi.base_url) as client:
        slug = client.organizations.list()[0].slug
        ref = client.projects.create(name="Screens", organization_slug=slug, db_pass=password).ref
        ProjectCredential.store(ref, password)
        deadline = time.monotonic() + 20
        while client.projects.get(ref).status != "ACTIVE_HEALTHY":
            assert time.monotonic() < deadline, "the project never became healthy"
            time.sleep(0.1)
        yield ref, password, client


def test_bucket_connection_string_and_audit_trail(live_server, launched, operator, browser_page):  # noqa: F811
    import psycopg
    from playwright.sync_api import expect

    ref, password, client = launched
    client.database.query(
        ref,
        "set local role service_role;"
        " insert into storage.buckets (id, name, public, file_size_limit)"
        " values ('browser-bucket', 'browser-bucket', true, 1048576)",
    )
    page = browser_page
    page.goto(f"{live_server.url}/platform/projects/{ref}/")
    page.get_by_label("Username").fill("browser-operator")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Sign in").click()
    nav = page.get_by_role("navigation", name="Dashboard sections")

    nav.get_by_role("link", name="Storage").click()
    card = page.locator('[data-bucket="browser-bucket"]')
    expect(card).to_contain_text("Public")
    expect(card).to_contain_text("1.0")  # MB

    nav.get_by_role("link", name="Connect").click()
    direct = page.locator('[data-connection="direct"] [data-connection-string]')
    expect(direct).to_contain_text("[YOUR-PASSWORD]")
    page.get_by_label("Show the database password in these strings").check()
    page.get_by_role("button", name="Reveal").click()
    expect(page.locator("[data-revealed]")).to_be_visible()
    revealed = direct.inner_text()
    assert "[YOUR-PASSWORD]" not in revealed and password in revealed
    event = AuditEvent.objects.get(action="connect.reveal", project_ref=ref)
    assert event.actor_label == "browser-operator" and event.outcome == "success"

    nav.get_by_role("link", name="Audit trail").click()
    page.get_by_label("Action").fill("connect.reveal")
    page.get_by_label("Actor").fill("browser-operator")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("[data-audit-events] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-audit-event", str(event.pk))
    expect(rows.first).to_contain_text("browser-operator")
    page.screenshot(path=str(_artifacts() / "storage-connect-audit.png"), full_page=True)

    # The string the operator revealed reaches the project's own instance over TCP.
    assert client.projects.get(ref).database.host == "127.0.0.1"
    with psycopg.connect(revealed, connect_timeout=10) as conn:
        assert conn.execute("select current_user").fetchone() == ("postgres",)
