"""Recovery in headless Chromium with a real django-q2 worker: a migration through the dashboard
leaves an automatic restore point, a broken table is undone to a named point, and the timeline
shows each step."""

from __future__ import annotations

import re

import pytest

from tests.conftest import tenant_sql
from tests.system.test_branch_flow import production  # noqa: F401 (fixture)
from tests.system.test_browser import _artifacts, browser_page, operator, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_undo_a_broken_table_from_the_timeline(live_server, production, start_worker, operator, browser_page, localapi):  # noqa: F811
    from playwright.sync_api import expect

    ref, _client = production
    start_worker()
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/migrations/")

    page.get_by_label("Name", exact=True).fill("create_notes")
    page.get_by_label("SQL", exact=True).fill(
        "create table public.notes (id int primary key, body text);\n"
        "alter table public.notes enable row level security;\n"
        "insert into public.notes values (1, 'keep me');"
    )
    page.get_by_label(re.compile("type the project ref .* to apply here")).fill(ref)
    page.get_by_role("button", name="Apply migration").click()
    expect(page.locator("[data-migration-history]")).to_contain_text("create_notes")

    page.goto(f"{live_server.url}/platform/projects/{ref}/restore-points/")
    timeline = page.locator("#pk-timeline")
    expect(timeline).to_contain_text("Migration create_notes applied")
    expect(timeline).to_contain_text("after migration create_notes")  # the automatic restore point

    page.get_by_label("Name", exact=True).fill("before-break")
    page.get_by_role("button", name="Create restore point").click()
    expect(page.locator("[data-operation-status]")).to_have_attribute(
        "data-operation-status", "succeeded", timeout=60_000
    )
    entry = timeline.locator("li", has_text="Restore point before-break")
    expect(entry).to_contain_text("available", timeout=10_000)

    tenant_sql(localapi, ref, "delete from public.notes; alter table public.notes drop column body")

    page.reload()
    timeline.locator("li", has_text="Restore point before-break").get_by_role("link", name="Undo to here…").click()
    expect(page.get_by_role("heading", name="What will not be reverted")).to_be_visible()
    page.get_by_label(re.compile("type the project ref")).fill(ref)  # production: the ref confirms
    page.get_by_role("button", name="Undo to before-break").click()
    expect(page.locator("[data-operation-status]")).to_have_attribute(
        "data-operation-status", "succeeded", timeout=60_000
    )
    expect(timeline).to_contain_text("Undo to before-break finished", timeout=10_000)
    page.screenshot(path=str(_artifacts() / "timeline-after-undo.png"), full_page=True)

    assert tenant_sql(localapi, ref, "select id, body from public.notes") == [(1, "keep me")]

    page.get_by_label("Show").select_option("recovery")
    expect(timeline.locator("li")).to_have_count(2)  # undo started and finished; nothing else
