"""On a phone (375 px wide, headless Chromium) the dashboard's table pages do not scroll
sideways as a whole — a wide table scrolls inside its own box — and the navigation, collapsed
behind a Menu button, still opens and leads to every section."""

from __future__ import annotations

import pytest

from tests.system.test_branch_flow import production  # noqa: F401 (fixture)
from tests.system.test_browser import CHROMIUM, _artifacts, operator, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
WIDE_QUERY = (
    "select repeat('a-rather-wide-value-', 8) as first_column, repeat('another-wide-value ', 6) as second_column,"
    " 'x' as c3, 'y' as c4, 'z' as c5, now() as c6, gen_random_uuid() as c7 from generate_series(1, 5)"
)


@pytest.fixture
def phone():
    """A 375 px wide window. Not ``is_mobile``: a mobile Chromium zooms a too-wide page out to
    fit, so the page would never measure wider than the screen."""
    import os

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=False)
        yield page
        browser.close()


def _page_overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def _nav_reaches(page, label: str) -> None:
    from playwright.sync_api import expect

    nav = page.get_by_role("navigation", name="Dashboard sections")
    link = nav.get_by_role("link", name=label, exact=True)
    expect(link).to_be_hidden()  # collapsed: the page starts with its content
    nav.get_by_role("button", name="Menu").click()
    expect(link).to_be_visible()
    assert _page_overflow(page) <= 0


def test_table_pages_fit_a_phone(live_server, production, operator, phone):  # noqa: F811
    from playwright.sync_api import expect

    ref, client = production
    client.database.query(
        ref,
        "insert into auth.users (id, email, aud, role) select gen_random_uuid(),"
        " 'someone-with-a-very-long-address-' || g || '@an-example-domain-of-some-length.example', 'authenticated',"
        " 'authenticated' from generate_series(1, 3) g",
    )
    page = phone
    sign_in(page, f"{live_server.url}/platform/")
    expect(page.locator(".pk-table").first).to_be_visible()
    widths = {"projects": _page_overflow(page)}
    _nav_reaches(page, "Projects")

    page.goto(f"{live_server.url}/platform/projects/{ref}/sql/")
    page.locator("#pk-sql-input").fill(WIDE_QUERY)
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("[data-sql-summary]")).to_be_visible()
    widths["sql result"] = _page_overflow(page)
    _nav_reaches(page, "Functions")

    page.goto(f"{live_server.url}/platform/projects/{ref}/users/")
    expect(page.locator(".pk-table").first).to_be_visible()
    widths["users"] = _page_overflow(page)

    page.goto(f"{live_server.url}/platform/projects/{ref}/audit/")
    expect(page.locator(".pk-table").first).to_be_visible()
    widths["audit"] = _page_overflow(page)
    page.screenshot(path=str(_artifacts() / "phone-audit.png"), full_page=True)
    _nav_reaches(page, "Users")
    page.get_by_role("navigation", name="Dashboard sections").get_by_role("link", name="Users", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/platform/projects/{ref}/users/")

    # Pages whose tables pushed the page sideways before (by 5 and 102 px).
    page.goto(f"{live_server.url}/platform/projects/{ref}/branches/")
    expect(page.locator("#pk-branch-list")).to_be_visible()
    widths["branches"] = _page_overflow(page)
    page.goto(f"{live_server.url}/platform/projects/{ref}/settings/compute/")
    expect(page.locator("table").first).to_be_visible()
    widths["compute"] = _page_overflow(page)
    page.screenshot(path=str(_artifacts() / "phone-compute.png"), full_page=True)
    assert all(overflow <= 0 for overflow in widths.values()), widths
