"""The log explorer's source picker in headless Chromium: changing it rewrites the SQL box at
once, before Run — the previous source's default query becomes the new source's, a query of the
operator's own keeps its text with only its source filter moved, and the page says so."""

from __future__ import annotations

import contextlib
import re

import pytest

from platformkit.sections.logs.services import default_sql
from tests.system.test_branch_flow import production  # noqa: F401 (fixture)
from tests.system.test_browser import _artifacts, browser_page, operator, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_source_picker_rewrites_the_query(live_server, production, operator, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    ref, client = production
    with contextlib.suppress(Exception):
        client.database.query(ref, "select * from public.no_such_table")
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/logs/")
    box = page.get_by_label(re.compile("^SQL"))
    expect(box).to_have_value(default_sql("edge_logs"))
    address = page.url

    page.locator("[data-source]").select_option("postgres_logs")
    expect(box).to_have_value(default_sql("postgres_logs"))  # at once, nothing run yet
    assert page.url == address and page.locator("[data-log-rows]").count() == 0
    expect(page.locator("[data-sql-note]")).to_have_count(0)

    own = "select id, event_message from logs\nwhere source = 'postgres_logs' and event_message like '%no_such%'"
    box.fill(own)
    page.locator("[data-source]").select_option("auth_logs")
    expect(box).to_have_value(own.replace("'postgres_logs'", "'auth_logs'"))
    expect(page.locator("[data-sql-note]")).to_have_text(
        "Your query was kept; only its source filter changed, to source = 'auth_logs'."
    )
    page.locator("[data-source]").select_option("postgres_logs")
    expect(box).to_have_value(own)
    page.get_by_role("button", name="Run").click()
    rows = page.locator("[data-log-rows] tbody tr")
    expect(rows.first).to_contain_text("no_such_table")
    # Bars without events are no links; the ones with events zoom in.
    expect(page.locator("[data-histogram] a").first).to_be_attached()
    links = page.locator("[data-histogram] a").count()
    bars = page.locator("[data-histogram] .pk-histogram__bar").count()
    assert 1 <= links < bars and page.locator("[data-histogram] g[data-bar]").count() == bars - links
    page.screenshot(path=str(_artifacts() / "logs-source-picker.png"), full_page=True)
