"""Reload, Back and Forward repeat nothing (issue 17, problem 4), in headless Chromium: a seed run
on production adds its rows once however the operator moves through history afterwards, and a
revealed secret key is shown once — Back or a reload neither asks to resubmit a form nor reveals
(and audits) it again."""

from __future__ import annotations

import re

import pytest

from platformkit.models import AuditEvent
from tests.system.test_branch_flow import production  # noqa: F401 (fixture)
from tests.system.test_browser import _artifacts, browser_page, operator, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# What Chromium shows instead of a page when history would send a POST again.
RESUBMIT = re.compile(r"Confirm Form Resubmission|ERR_CACHE_MISS", re.IGNORECASE)


def count(client, ref: str) -> int:
    return client.database.query(ref, "select count(*) as n from public.todos")[0]["n"]


def test_reload_back_and_forward_repeat_nothing(live_server, production, start_worker, operator, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    ref, client = production
    start_worker()
    # An identity key: a seed run twice would add three more rows, not fail on a duplicate.
    client.database.query(ref, "create table public.todos (id int generated always as identity primary key, t text)")
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/migrations/")
    page.get_by_label("Inserts").fill("insert into public.todos (t) values ('a'), ('b'), ('c')")
    page.get_by_label(re.compile("type the project ref")).last.fill(ref)
    page.get_by_role("button", name="Run seed").click()
    expect(page.locator("[data-seed-done]")).to_be_visible(timeout=60_000)
    assert count(client, ref) == 3
    for move in (page.reload, page.go_back, page.go_forward, page.reload):
        move()
        page.wait_for_load_state()
        assert not RESUBMIT.search(page.content()), move
    assert count(client, ref) == 3

    page.goto(f"{live_server.url}/platform/projects/{ref}/settings/api-keys/")
    page.get_by_role("button", name="Enable publishable and secret keys").click()
    secret_row = page.locator('tr[data-key-type="secret"]')
    expect(secret_row).to_be_visible()
    secret = next(key for key in client.api_keys.list(ref, reveal=True) if key.type == "secret").api_key
    secret_row.get_by_role("button", name="Reveal").click()
    expect(page.locator("#pk-revealed-key")).to_have_text(secret)
    for move in (page.reload, page.go_back, page.go_forward):
        move()
        page.wait_for_load_state()
        assert not RESUBMIT.search(page.content()), move
        assert secret not in page.content(), move  # shown once: history does not show it again
    page.screenshot(path=str(_artifacts() / "reveal-after-history.png"), full_page=True)
    assert AuditEvent.objects.filter(action="settings.api_keys.reveal", project_ref=ref).count() == 1
