"""A paused project in headless Chromium (issue 17, problem 9): every page names the state and
offers the restore, and the SQL editor says the project is paused in plain words instead of
PostgreSQL's "database is not accepting connections"."""

from __future__ import annotations

import time

import pytest

from tests.system.test_branch_flow import production  # noqa: F401 (fixture)
from tests.system.test_browser import _artifacts, browser_page, operator, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_paused_project_says_so_on_its_pages(live_server, production, operator, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    ref, client = production
    client.projects.pause(ref)
    deadline = time.monotonic() + 60
    while client.projects.get(ref).status != "INACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/sql/")
    banner = page.locator('[data-project-state="paused"]').first
    expect(banner).to_contain_text("paused")
    editor = page.locator("#pk-sql-input")
    editor.fill("select 1")
    editor.press("Control+Enter")
    result = page.locator("#pk-sql-result")
    expect(result).to_contain_text("paused")
    page.screenshot(path=str(_artifacts() / "paused-sql.png"), full_page=True)
    assert "not accepting connections" not in result.inner_text()
    page.goto(f"{live_server.url}/platform/projects/{ref}/")
    expect(page.get_by_role("button", name="Restore project")).to_be_visible()
