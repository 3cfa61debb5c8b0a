"""The operator's first flow in headless Chromium: log in, create a project, and watch the
page turn healthy by itself while a real django-q2 worker polls the local API."""

from __future__ import annotations

import os
import re

import pytest
from django.contrib.auth import get_user_model

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def operator(transactional_db):
    # Created before Playwright's event loop starts in this thread.
    return get_user_model().objects.create_user("browser-operator", password="correct horse", is_staff=True)


@pytest.fixture
def browser_page():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are ordinary blocking calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        yield page
        browser.close()


def test_log_in_create_a_project_and_watch_it_become_healthy(
    live_server, slow_localapi, start_worker, operator, browser_page
):
    from playwright.sync_api import expect

    start_worker()
    page = browser_page

    page.goto(f"{live_server.url}/platform/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("browser-operator")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()

    page.get_by_role("link", name=re.compile("New project", re.I)).click()
    page.get_by_label("Project name").fill("Browser launched")
    page.get_by_role("button", name=re.compile("Create project", re.I)).click()

    expect(page.get_by_role("heading", name="Browser launched", exact=True)).to_be_visible()
    progress = page.locator("[data-operation-status]")
    expect(progress).to_have_attribute("data-operation-status", "running", timeout=10_000)
    expect(progress).to_have_attribute("data-operation-status", "succeeded", timeout=60_000)
    expect(progress).not_to_have_attribute("hx-trigger", re.compile(".+"))
    # The banner read the project again when the launch finished: still there, and no "starting"
    # (coming_up) left behind.
    expect(page.locator('[data-target-banner] [data-project-state="coming_up"]')).to_have_count(0, timeout=10_000)
    expect(page.locator("[data-target-banner]")).to_have_count(1)
    expect(page.locator("[data-target-banner]")).to_contain_text("Browser launched")
    page.screenshot(path=str(_artifacts() / "project-healthy.png"), full_page=True)


def sign_in(page, url: str) -> None:
    """Open ``url`` and sign in as the browser operator on the login page it redirects to."""
    page.goto(url)
    page.get_by_label("Username").fill("browser-operator")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Sign in").click()


def launch_active_project(client, name: str) -> str:
    """Create a project through the API and wait until it is ACTIVE_HEALTHY; its ref."""
    import time

    slug = client.organizations.list()[0].slug
    ref = client.projects.create(name=name, organization_slug=slug, db_pass=f"{name.replace(' ', '-')}-pass-123456").ref
    deadline = time.monotonic() + 20
    while client.projects.get(ref).status != "ACTIVE_HEALTHY":
        assert time.monotonic() < deadline, f"{name} never became healthy"
        time.sleep(0.1)
    return ref


def _artifacts():
    from pathlib import Path

    path = Path(os.environ.get("PLATFORMKIT_DATA_DIR", ".data/test")) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
