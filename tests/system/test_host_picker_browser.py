"""The demo host page in headless Chromium: the operator picks the second project and the
read-only permission set; the frame shows that project and offers no change anywhere."""

from __future__ import annotations

import pytest

from tests.system.test_browser import _artifacts, browser_page, launch_active_project, operator, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def embed_host(live_server, empty_localapi, settings):
    """The demo host page on ``localhost:<port>`` allowed to frame the dashboard (on 127.0.0.1),
    with no project yet (a local API of its own): the live server's port and a client to arrange
    projects with."""
    from platformkit.api import ManagementClient

    port = live_server.url.rpartition(":")[2]
    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "API_URL": empty_localapi.base_url,
        "API_TOKEN": empty_localapi.token,
        "EMBED_ALLOWED_ORIGINS": [f"http://localhost:{port}"],
    }
    with ManagementClient(empty_localapi.token, base_url=empty_localapi.base_url) as client:
        assert client.projects.list() == []
        yield port, client


def test_pick_a_project_and_a_read_only_permission_set(embed_host, operator, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    port, client = embed_host
    launch_active_project(client, "Shop app")
    ref = launch_active_project(client, "Blog app")

    page = browser_page
    sign_in(page, f"http://localhost:{port}/host/")
    frame = page.frame_locator("#platformkit-frame")
    expect(frame.get_by_role("heading", name="Shop app")).to_be_visible(timeout=15_000)  # the first, by default

    page.get_by_label("Project").select_option(ref)
    page.get_by_label("Permission set").select_option("read-only")
    page.get_by_role("button", name="Open the dashboard").click()
    expect(page.get_by_label("Permission set")).to_have_value("read-only")
    expect(page.locator("[data-host-permissions]")).to_contain_text('"restore_points": "read"')
    expect(frame.get_by_role("heading", name="Blog app")).to_be_visible(timeout=15_000)
    expect(page.locator("#host-last-event")).to_contain_text(f"/platform/projects/{ref}/")

    # Read-only: the overview offers no pause or delete, restore points no create, migrations
    # no apply, branches no create.
    expect(frame.get_by_role("button", name="Pause")).to_have_count(0)
    expect(frame.get_by_role("button", name="Delete")).to_have_count(0)
    frame.get_by_role("link", name="Restore points").click()
    expect(frame.locator("#pk-timeline")).to_be_visible()
    expect(frame.get_by_role("button", name="Create restore point")).to_have_count(0)
    frame.get_by_role("link", name="Migrations").click()
    expect(frame.locator("[data-migration-history]")).to_be_visible()
    expect(frame.get_by_role("button", name="Apply migration")).to_have_count(0)
    frame.get_by_role("link", name="Branches").click()
    expect(frame.locator("#pk-branch-list")).to_be_visible()
    expect(frame.get_by_role("button", name="Create branch")).to_have_count(0)
    page.screenshot(path=str(_artifacts() / "embed-host-picker.png"), full_page=True)

    # A reload mints a fresh link for the same choice (no form resubmitted).
    page.reload()
    expect(page.get_by_label("Project")).to_have_value(ref)
    expect(frame.get_by_role("heading", name="Blog app")).to_be_visible(timeout=15_000)
