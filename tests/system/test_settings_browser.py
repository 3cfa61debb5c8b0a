"""API keys and service configuration in headless Chromium with a real django-q2 worker: enable
the new keys, reveal the secret one (audited), change Auth settings through the diff review and
watch the change wait for the service and land."""

from __future__ import annotations

import pytest

from platformkit.models import AuditEvent
from tests.system.test_branch_flow import production  # noqa: F401 (fixture)
from tests.system.test_browser import _artifacts, browser_page, operator, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_keys_then_auth_config(live_server, production, start_worker, operator, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    ref, client = production
    start_worker()
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/settings/api-keys/")

    page.get_by_role("button", name="Enable publishable and secret keys").click()
    secret_row = page.locator('tr[data-key-type="secret"]')
    expect(secret_row).to_be_visible()
    secret = next(key for key in client.api_keys.list(ref, reveal=True) if key.type == "secret").api_key
    assert secret and secret not in page.content()  # masked until asked for
    secret_row.get_by_role("button", name="Reveal").click()
    expect(page.locator("#pk-revealed-key")).to_have_text(secret)
    assert AuditEvent.objects.filter(action="settings.api_keys.reveal", project_ref=ref).count() == 1

    page.get_by_role("navigation", name="Project settings").get_by_role("link", name="Configuration").click()
    page.get_by_placeholder("Filter settings…").fill("otp exp")
    field = page.get_by_label("Mailer OTP exp", exact=True)
    expect(field).to_be_visible()
    expect(page.get_by_label("Site URL", exact=True)).to_be_hidden()  # filtered out
    field.fill("900")
    page.get_by_placeholder("Filter settings…").fill("")
    page.get_by_label("SMTP pass", exact=True).fill("browser-smtp-secret")
    page.get_by_role("button", name="Review changes").click()
    diff = page.locator("[data-diff]")
    expect(diff).to_contain_text("Mailer OTP exp")
    expect(diff.locator('tr[data-field="mailer_otp_exp"]')).to_contain_text("3600")
    expect(diff.locator('tr[data-field="smtp_pass"]')).to_contain_text("(new value)")
    assert "browser-smtp-secret" not in page.content()
    page.get_by_role("button", name="Apply 2 changes").click()
    expect(page.locator("[data-operation-status]")).to_have_attribute(
        "data-operation-status", "succeeded", timeout=60_000
    )
    page.screenshot(path=str(_artifacts() / "auth-config-applied.png"), full_page=True)
    assert client.config.get(ref, "auth")["mailer_otp_exp"] == 900
    page.goto(f"{live_server.url}/platform/projects/{ref}/settings/config/auth/")
    expect(page.get_by_label("Mailer OTP exp", exact=True)).to_have_value("900")
    expect(page.get_by_label("SMTP pass", exact=True)).to_have_attribute("placeholder", "set — leave blank to keep")
