"""Advisors and the log explorer in headless Chromium: a finding is seen, its fix opens in the
SQL editor, it is dismissed and restored; logs are queried with a template and a custom SQL."""

from __future__ import annotations

import contextlib
import re

import pytest

from tests.system.test_branch_flow import production  # noqa: F401 (fixture)
from tests.system.test_browser import _artifacts, browser_page, operator, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_advisors_then_logs(live_server, production, operator, browser_page):  # noqa: F811
    from django.contrib.auth.models import Permission
    from playwright.sync_api import expect

    # Dismissing an ERROR security finding waives the merge gate: it takes the override permission.
    operator.user_permissions.add(Permission.objects.get(codename="override_merge_checks"))
    ref, client = production
    client.database.query(ref, "create table public.open_notes (id int primary key)")
    with contextlib.suppress(Exception):
        client.database.query(ref, "select * from public.no_such_table")
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/advisors/")

    finding = page.locator('[data-finding="rls_disabled_in_public_public_open_notes"]')
    expect(finding).to_be_visible()
    finding.locator("summary").click()
    expect(finding).to_contain_text("Table public.open_notes is public, but RLS has not been enabled.")
    with page.expect_navigation():
        finding.get_by_role("link", name="Open the fix in the SQL editor").click()
    expect(page.locator("textarea[name=sql]")).to_have_value(
        re.compile(r"^alter table public.open_notes enable row level security;")
    )

    page.go_back()
    finding = page.locator('[data-finding="rls_disabled_in_public_public_open_notes"]')
    finding.locator("summary").click()
    finding.get_by_label("Reason").fill("read-only reference data")
    finding.get_by_role("button", name="Dismiss").click()
    dismissed = page.locator('[data-dismissed-finding="rls_disabled_in_public_public_open_notes"]')
    expect(dismissed).to_contain_text("read-only reference data")
    dismissed.get_by_role("button", name="Restore").click()
    expect(page.locator('[data-finding="rls_disabled_in_public_public_open_notes"]')).to_be_visible()
    page.get_by_role("link", name=re.compile("^Performance")).click()
    expect(page.locator("[data-level]").first).to_be_visible()

    page.goto(f"{live_server.url}/platform/projects/{ref}/logs/")
    page.get_by_role("link", name="Postgres errors").click()
    rows = page.locator("[data-log-rows] tbody tr")
    expect(rows.first).to_contain_text("42P01")
    rows.first.locator("summary").click()
    expect(rows.first.locator("pre")).to_contain_text('"sql_state_code": "42P01"')
    expect(page.locator("[data-histogram] rect").first).to_be_attached()
    page.get_by_label(re.compile("^SQL")).fill("select nope from edge_logs")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("[data-log-error]")).to_contain_text("The query was refused: Unknown table edge_logs")
    assert "sql=select+nope+from+edge_logs" in page.url  # the query is in the address: shareable
    page.screenshot(path=str(_artifacts() / "logs-error.png"), full_page=True)
