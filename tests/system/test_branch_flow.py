"""The development workflow in headless Chromium with a real django-q2 worker: create a DEV
branch, apply a migration on it, seed rows, review and merge, and see the table in production."""

from __future__ import annotations

import re

import pytest

from tests.system.test_browser import _artifacts, browser_page, launch_active_project, operator, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def production(localapi, settings):
    from platformkit.api import ManagementClient

    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "API_URL": localapi.base_url,
        "API_TOKEN": localapi.token,
        "FUNCTIONS_URL": "{api_url}/project/{ref}/functions/v1/{slug}",
    }
    with ManagementClient(localapi.token, base_url=localapi.base_url) as client:
        yield launch_active_project(client, "Flow"), client


def test_dev_branch_to_production(live_server, production, start_worker, operator, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    ref, client = production
    start_worker()
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/branches/")

    page.get_by_label("Name", exact=True).fill("DEV")
    page.get_by_role("button", name="Create branch").click()
    expect(page.locator("[data-operation-status]").first).to_have_attribute(
        "data-operation-status", "succeeded", timeout=60_000
    )
    row = page.locator('tr[data-branch="DEV"]')
    expect(row).to_be_visible(timeout=10_000)

    row.get_by_role("link", name="Migrations").click()
    expect(page.locator(".pk-branch-switcher")).to_contain_text("branch DEV")
    page.get_by_label("Name", exact=True).fill("create_todos")
    page.get_by_label("SQL", exact=True).fill(
        "create table public.todos (id int primary key, title text);\n"
        "alter table public.todos enable row level security;"
    )
    page.get_by_role("button", name="Apply migration").click()
    expect(page.locator("[data-apply-done]")).to_have_text("Migration create_todos applied on DEV.")
    expect(page.locator("[data-migration-history]")).to_contain_text("create_todos")

    page.get_by_label("Inserts").fill("insert into public.todos values (1, 'seeded on DEV')")
    page.get_by_role("button", name="Run seed").click()
    expect(page.locator("[data-seed-done]")).to_contain_text("Seed ran on DEV")

    # The SQL editor on the branch: Ctrl+Enter runs, the seeded row is there.
    assert "/migrations/seed/" not in page.url  # redirected after the POST: a reload cannot repeat it
    page.goto(page.url.replace("/migrations/", "/sql/"))
    editor = page.locator("#pk-sql-input")
    editor.fill("select title from public.todos")
    editor.press("Control+Enter")
    expect(page.locator("#pk-sql-result")).to_contain_text("seeded on DEV")
    # An error's position is selected in the editor itself.
    editor.fill("select title\nfrom public.todoz")
    editor.press("Control+Enter")
    expect(page.locator("[data-sql-error]")).to_contain_text('relation "public.todoz" does not exist')
    assert editor.evaluate("el => [el.selectionStart, el.selectionEnd]") == [18, 19]

    page.goto(f"{live_server.url}/platform/projects/{ref}/branches/")
    page.locator('tr[data-branch="DEV"]').get_by_role("link", name="Review and merge").click()
    expect(page.locator("[data-review-migrations]")).to_contain_text("create_todos")
    expect(page.locator("[data-review-diff]")).to_contain_text("create table public.todos")
    preview = page.locator('[data-destructive-preview="branches.merge"]')
    expect(preview.locator("[data-preview-items]")).to_contain_text("create_todos")
    expect(preview.locator("[data-restore-point-first]")).to_be_visible()
    page.screenshot(path=str(_artifacts() / "branch-review.png"), full_page=True)
    # Merging into production asks for production's ref: the browser will not submit without it.
    page.get_by_role("button", name=re.compile("Merge DEV into production")).click()
    assert page.locator("[data-confirm-ref]").evaluate("el => el.validity.valueMissing")
    assert "/merge/" in page.url and client.database.list_migrations(ref) == []
    page.get_by_label(re.compile("type the project ref")).fill(ref)
    page.get_by_role("button", name=re.compile("Merge DEV into production")).click()
    expect(page.locator("[data-restore-point-taken]")).to_contain_text("was taken first")
    expect(page.locator("[data-operation-status]").first).to_have_attribute(
        "data-operation-status", "succeeded", timeout=60_000
    )
    page.screenshot(path=str(_artifacts() / "branch-list.png"), full_page=True)

    page.goto(f"{live_server.url}/platform/projects/{ref}/sql/")
    page.locator("#pk-sql-input").fill("select count(*) as todos from public.todos")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("[data-sql-summary]")).to_contain_text("1 row")
    expect(page.locator("#pk-sql-result td").first).to_have_text("0")  # the table, not DEV's seed rows
    page.screenshot(path=str(_artifacts() / "branch-merged.png"), full_page=True)
    assert [m.name for m in client.database.list_migrations(ref)] == ["create_todos"]

    # Undoing to the point taken before the merge would drop the table: its preview says so,
    # although the migration's version (the second it was applied on DEV) is older than the point.
    page.goto(f"{live_server.url}/platform/projects/{ref}/restore-points/")
    undo = page.locator('[data-kind="restore_point"]', has_text="pre-").get_by_role("link", name="Undo to here…")
    for _ in range(60):  # the worker waits for the point to be AVAILABLE
        if undo.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    undo.click()
    preview = page.locator('[data-destructive-preview="restore_points.undo"]')
    expect(preview).to_contain_text("create_todos is reverted; table public.todos is dropped")
    expect(preview).not_to_contain_text("No migration was applied since then")
    page.screenshot(path=str(_artifacts() / "undo-after-merge.png"), full_page=True)
