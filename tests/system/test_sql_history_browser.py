"""In headless Chromium: the SQL editor's history shows a run as soon as it has run (the result
and the history swapped in by htmx, no reload), and only the current target's runs."""

from __future__ import annotations

import pytest

from tests.system.test_browser import browser_page, operator, sign_in  # noqa: F401
from tests.system.test_target_browser import _branch, production  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_run_appears_in_the_history_of_its_target_without_a_reload(
    live_server,
    production,  # noqa: F811
    operator,  # noqa: F811
    browser_page,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    ref, client = production
    dev = _branch(client, ref, "dev")
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/sql/?branch={dev}")
    history = page.locator("section[aria-labelledby=pk-history-title]")
    expect(history).to_contain_text("Nothing run yet.")
    page.evaluate("window.pkLoadedOnce = true")  # gone if the page reloads
    page.locator("#pk-sql-input").fill("select '<i>dev run</i>' as shown")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("[data-sql-summary]")).to_contain_text("1 row")
    expect(history).to_contain_text("select '<i>dev run</i>' as shown")
    expect(history).to_contain_text("branch dev")
    assert history.locator("i").count() == 0  # shown as text, not markup
    assert page.evaluate("window.pkLoadedOnce") is True
    page.locator("#pk-sql-input").fill("select 2 as second")
    page.keyboard.press("Control+Enter")
    expect(history.locator("li").first).to_contain_text("select 2 as second")
    assert page.evaluate("window.pkLoadedOnce") is True

    page.goto(f"{live_server.url}/platform/projects/{ref}/sql/")
    expect(page.locator("section[aria-labelledby=pk-history-title]")).to_contain_text(
        "Nothing run yet."
    )  # production's own
