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


def test_the_sql_editor_confirms_procedural_code_and_estimates_rows(
    live_server,
    production,  # noqa: F811
    operator,  # noqa: F811
    browser_page,  # noqa: F811
):
    from playwright.sync_api import expect

    ref, client = production
    client.database.query(
        ref,
        "create table public.tasks (id int primary key, done boolean);"
        " insert into public.tasks select g, false from generate_series(1, 300) g; analyze public.tasks;",
    )
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/sql/")
    page.get_by_label("Read-only").uncheck()
    page.locator("#pk-sql-input").fill("update public.tasks set done = true")
    page.get_by_role("button", name="Run", exact=True).click()
    confirm = page.locator("[data-sql-confirm]")
    expect(confirm).to_contain_text("UPDATE without WHERE changes every row of tasks.")
    expect(confirm.locator("[data-sql-estimates]")).to_contain_text("UPDATE of tasks: about 300 rows")
    page.locator("#pk-sql-input").fill("do $$ begin delete from public.tasks where id > 100; end $$")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(confirm).to_contain_text("The DO block changes data or the schema: DELETE from tasks.")
    assert client.database.query(ref, "select count(*)::int as n from public.tasks") == [{"n": 300}]
    confirm.get_by_role("button", name="Run it anyway").click()
    expect(page.locator("[data-sql-summary]")).to_be_visible()
    assert client.database.query(ref, "select count(*)::int as n from public.tasks") == [{"n": 100}]


def test_the_log_histogram_zooms_and_a_row_opens_its_event(
    live_server,
    localapi,
    production,  # noqa: F811
    operator,  # noqa: F811
    browser_page,  # noqa: F811
):
    from datetime import UTC, datetime, timedelta

    from playwright.sync_api import expect

    ref, _ = production
    earlier = datetime.now(UTC) - timedelta(hours=3)
    localapi.api.logs.record(
        ref, "function_logs", "<b>earlier failure</b>", {"level": "error", "function_id": "f1"}, at=earlier
    )
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/logs/?template=function_errors&range=24h")
    axis = page.locator("[data-histogram-axis] [data-tick]")
    expect(axis.first).to_be_visible()
    assert 3 <= axis.count() <= 8
    hour = earlier.replace(minute=0, second=0, microsecond=0)
    page.locator(f'[data-histogram] a[data-zoom="{hour:%Y-%m-%dT%H:%M:%S}"] rect').last.click()
    expect(page.locator("[data-range]")).to_have_value("custom")
    expect(page.locator('input[name="start"]')).to_have_value(f"{hour:%Y-%m-%dT%H:%M}")  # the browser drops :00 seconds
    rows = page.locator("[data-log-rows]")
    expect(rows).to_contain_text("<b>earlier failure</b>")  # as text
    rows.locator("[data-log-detail] summary").first.click()
    fields = rows.locator("[data-log-fields]")
    expect(fields).to_contain_text("log_attributes")
    expect(fields).to_contain_text("f1")
