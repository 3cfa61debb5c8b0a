"""Issue 17, problem 2, in headless Chromium: a migration rollback on production shows what it
will run before anything happens, refuses without the project ref typed, takes a restore point
first and links it from the result."""

from __future__ import annotations

import re

import pytest

from tests.system.test_branch_flow import production  # noqa: F401 (fixture)
from tests.system.test_browser import _artifacts, browser_page, operator, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_rollback_on_production_previews_and_needs_the_ref(live_server, production, operator, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    ref, client = production
    client.database.apply_migration(
        ref, query="create table public.orders (id int primary key)", name="orders", rollback="drop table public.orders"
    )
    client.database.query(ref, "insert into public.orders values (1), (2)")
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/migrations/")

    # The preview says what the rollback runs and that a restore point comes first.
    preview = page.locator('[data-destructive-preview="migrations.rollback"]')
    expect(preview.locator("[data-preview-statements]")).to_have_text("drop table public.orders;")
    expect(preview.locator("[data-restore-point-first]")).to_be_visible()
    page.screenshot(path=str(_artifacts() / "rollback-preview.png"), full_page=True)

    # The box ticked but a wrong ref typed: refused, nothing rolled back, nothing taken.
    page.get_by_label(re.compile("with its recorded rollback")).check()
    preview.get_by_label(re.compile("type the project ref")).fill("orders")
    page.get_by_role("button", name="Roll back the latest").click()
    expect(page.locator("[data-rollback-error]")).to_contain_text(f"Type the project ref {ref} to confirm")
    assert [m.name for m in client.database.list_migrations(ref)] == ["orders"]
    assert client.database.query(ref, "select count(*) as n from public.orders") == [{"n": 2}]

    # The ref typed: rolled back, and the result links the restore point taken first.
    page.get_by_label(re.compile("with its recorded rollback")).check()
    preview.get_by_label(re.compile("type the project ref")).fill(ref)
    page.get_by_role("button", name="Roll back the latest").click()
    taken = page.locator("[data-restore-point-taken]")
    expect(taken).to_contain_text("was taken first")
    assert "/rollback/" not in page.url  # redirected: a reload cannot roll back again
    expect(page.locator("[data-migration-history]")).to_contain_text("No migrations yet.")
    assert client.database.list_migrations(ref) == []
    name = taken.locator("code").inner_text()
    assert name.startswith("pre-") and client.backups.get_restore_point(ref, name).name == name
    taken.get_by_role("link").click()
    expect(page.locator("#pk-timeline")).to_contain_text(f"Restore point {name}")
    page.screenshot(path=str(_artifacts() / "rollback-done.png"), full_page=True)
