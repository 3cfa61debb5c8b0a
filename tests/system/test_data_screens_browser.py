"""The Database row editor's foreign-key picker, the SQL editor's confirmations and the log
explorer's histogram, in headless Chromium: what an operator clicks and sees."""

from __future__ import annotations

import pytest

from tests.system.test_branch_flow import production  # noqa: F401 (fixture)
from tests.system.test_browser import browser_page, operator, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_foreign_key_is_picked_from_a_search(live_server, production, operator, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    ref, client = production
    client.database.query(
        ref,
        "create table public.makers (id int primary key, name text not null);"
        " create table public.parts (id int primary key, label text, maker_id int references public.makers (id));"
        " insert into public.makers values (1, 'Acme'), (2, 'Globex'), (3, '<i>Initech</i>');"
        " insert into public.parts values (1, 'Bolt', 1);",
    )
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/database/row/?schema=public&table=parts&key=WyIxIl0")
    expect(page.get_by_role("heading", name="Editing row in public.parts")).to_be_visible()
    picker = page.locator('[data-db-picker="maker_id"]')
    picker.get_by_label("Find in public.makers").fill("glob")
    choice = picker.locator("[data-db-pick]")
    expect(choice).to_have_count(1)
    expect(choice).to_contain_text("Globex")
    choice.click()
    expect(page.get_by_label("maker_id", exact=True)).to_have_value("2")
    expect(picker.locator("[data-db-pick]")).to_have_count(0)
    picker.get_by_label("Find in public.makers").fill("initech")
    expect(picker.locator("[data-db-pick]")).to_have_text("3 · <i>Initech</i>")  # text, not markup
    page.locator("[data-db-editor]").get_by_label("Write to production").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("[data-db-saved]")).to_have_text("Row saved.")
    assert client.database.query(ref, "select maker_id from parts where id = 1") == [{"maker_id": 2}]
