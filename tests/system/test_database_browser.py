"""The Database and Users sections in headless Chromium: a table with rows and an auth user made
with SQL, each found through the dashboard's own navigation; a row edited through the form (a
write on production refused until switched on) and the change seen in the SQL editor."""

from __future__ import annotations

import pytest

from platformkit.models import AuditEvent
from tests.system.test_branch_flow import production  # noqa: F401 (fixture)
from tests.system.test_browser import _artifacts, browser_page, operator, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_database_and_users_through_the_navigation(live_server, production, operator, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    ref, client = production
    client.database.query(
        ref,
        "create table public.gadgets (id int primary key, name text not null, price numeric, on_sale boolean);"
        " insert into public.gadgets values (1, 'Widget', 9.5, false), (2, 'Sprocket', 3, true);"
        " insert into auth.users (email, created_at) values ('browser-user@example.com', now());",
    )
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/")
    nav = page.get_by_role("navigation", name="Dashboard sections")

    nav.get_by_role("link", name="Database").click()
    row = page.locator('tr[data-table="gadgets"]')
    expect(row).to_contain_text("RLS disabled")
    row.get_by_role("link", name="gadgets").click()
    grid = page.locator("[data-db-rows]")
    expect(grid).to_contain_text("Sprocket")
    expect(grid.locator('th[data-column="price"]')).to_contain_text("numeric")
    grid.locator("tr", has_text="Widget").get_by_role("link", name="Edit").click()

    expect(page.get_by_role("heading", name="Editing row in public.gadgets")).to_be_visible()
    page.get_by_label("name", exact=True).fill("Widget Pro")
    page.get_by_label("on_sale", exact=True).select_option("true")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("[data-db-refused]")).to_contain_text("Production is read-only here")
    assert client.database.query(ref, "select name from gadgets where id = 1") == [{"name": "Widget"}]
    page.get_by_label("name", exact=True).fill("Widget Pro")  # kept on refusal; typed again all the same
    page.locator("[data-db-editor]").get_by_label("Write to production").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("[data-db-saved]")).to_have_text("Row saved.")
    assert AuditEvent.objects.filter(action="database.update", project_ref=ref).count() == 1

    nav.get_by_role("link", name="SQL").click()
    page.locator("#pk-sql-input").fill("select name, on_sale from gadgets where id = 1")
    page.get_by_role("button", name="Run").click()
    result = page.locator("#pk-sql-result")
    expect(result).to_contain_text("Widget Pro")
    expect(result).to_contain_text("true")

    nav.get_by_role("link", name="Users").click()
    expect(page.locator("[data-users]")).to_contain_text("browser-user@example.com")
    expect(page.locator("[data-users-chart]")).to_be_visible()
    page.get_by_role("link", name="browser-user@example.com").click()
    expect(page.locator("[data-user-detail]")).to_contain_text("browser-user@example.com")
    page.screenshot(path=str(_artifacts() / "database-users.png"), full_page=True)
