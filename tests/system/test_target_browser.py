"""In headless Chromium: the banner names the target on every page and the branch is kept while
moving through the sidebar and the switcher; a slow API's overview shows its loading state and
fills in by itself, and a hung one ends in a timeout panel whose Retry button (htmx) fills the
panel in once the API answers again."""

from __future__ import annotations

import re
import time

import pytest

from tests.system.test_browser import _artifacts, browser_page, launch_active_project, operator, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def production(localapi, settings):
    from platformkit.api import ManagementClient

    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_URL": localapi.base_url, "API_TOKEN": localapi.token}
    with ManagementClient(localapi.token, base_url=localapi.base_url) as client:
        yield launch_active_project(client, "Banner"), client


def _branch(client, ref: str, name: str) -> str:
    client.branches.create(ref, branch_name=name)
    deadline = time.monotonic() + 60
    while True:
        found = [branch for branch in client.branches.list(ref) if branch.name == name and branch.project_ref]
        if found and client.projects.get(found[0].project_ref).status == "ACTIVE_HEALTHY":
            return found[0].project_ref
        assert time.monotonic() < deadline, "the branch never came up"
        time.sleep(0.3)


def test_the_banner_and_the_branch_follow_the_operator(live_server, production, operator, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    ref, client = production
    dev = _branch(client, ref, "dev")
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/sql/")
    banner = page.locator("[data-target-banner]")
    expect(banner).to_contain_text("Banner")
    expect(banner).to_have_attribute("data-target-banner", "production")
    expect(page).to_have_title(re.compile(r"^SQL · Banner · "))

    page.locator("#pk-branch-select").select_option(label="dev")  # the switcher submits on change
    expect(banner).to_have_attribute("data-target-banner", "branch")
    expect(banner).to_contain_text("branch dev")
    for label in ("Migrations", "Functions", "Restore points", "Advisors", "Overview", "SQL"):
        page.locator(".pk-nav").get_by_role("link", name=label, exact=True).click()
        expect(banner).to_contain_text("branch dev")
        assert f"branch={dev}" in page.url, (label, page.url)
    expect(page).to_have_title(re.compile(r"^SQL · Banner \(branch dev\) · "))
    page.screenshot(path=str(_artifacts() / "target-banner-branch.png"), full_page=True)


def test_slow_then_hung_api_overview(live_server, production, operator, browser_page, limited_localapi, settings):  # noqa: F811
    from playwright.sync_api import expect

    ref, _ = production
    fast = dict(settings.PLATFORMKIT)
    slow = limited_localapi(standard=1_000_000, logs=1_000_000, latency=2.5)
    settings.PLATFORMKIT = {
        **fast,
        "API_URL": slow.base_url,
        "API_TOKEN": slow.config.token,
        "PANEL_WAIT": 0.3,
        "PANEL_TIMEOUT": 10.0,
    }
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/")
    # The frame first, the loading state, then the panel by itself.
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#pk-health-title")).to_be_visible(timeout=15_000)
    expect(page.locator("#pk-project-overview")).to_contain_text("active healthy")

    # Hung: the panel is cut off at PANEL_TIMEOUT with Retry; Retry fills it once the API answers.
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "PANEL_TIMEOUT": 1.0}
    from django.core.cache import cache
    from django.db import connections

    cache.clear()  # no read from before to fall back on
    connections.close_all()  # opened inside Playwright's loop: teardown would not see it
    started = time.monotonic()
    page.reload()
    expect(page.locator("[data-panel-loading]")).to_be_visible()
    expect(page.locator('[data-upstream-error="timeout"]').first).to_be_visible(timeout=10_000)
    assert time.monotonic() - started < 8
    expect(page.locator("#pk-project-overview")).to_contain_text("The Management API is slow")
    page.screenshot(path=str(_artifacts() / "overview-timeout.png"), full_page=True)
    settings.PLATFORMKIT = {**fast}
    page.get_by_role("link", name="Try again").first.click()
    expect(page.locator("#pk-project-overview")).to_contain_text("active healthy", timeout=10_000)
    expect(page.locator('[data-upstream-error="timeout"]')).to_have_count(0)
