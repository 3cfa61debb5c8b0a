"""Edge Functions in headless Chromium with a real django-q2 worker: choose files, deploy with
upload progress, watch the deploy finish, see the function ACTIVE, invoke it from the panel."""

from __future__ import annotations

import pytest

from platformkit.localapi.functions.runtime import find_deno
from tests.system.test_branch_flow import production  # noqa: F401 (fixture)
from tests.system.test_browser import _artifacts, browser_page, operator, sign_in  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(find_deno() is None, reason="no Deno here: `make deno` installs it (make test does)"),
]

SOURCE = "Deno.serve(async (req) => Response.json({ greeting: `hello ${(await req.json()).name}` }));\n"


def test_deploy_see_active_and_invoke(live_server, production, start_worker, operator, browser_page, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    ref, client = production
    start_worker()
    source = tmp_path / "greet"
    source.mkdir()
    (source / "index.ts").write_text(SOURCE)
    (source / "deno.json").write_text('{"imports": {}}')
    page = browser_page
    sign_in(page, f"{live_server.url}/platform/projects/{ref}/functions/")

    page.get_by_label("Slug").fill("greet")
    page.get_by_label("Files or a .zip").set_input_files([str(source / "index.ts"), str(source / "deno.json")])
    expect(page.locator("[data-chosen]")).to_contain_text("deno.json")
    expect(page.get_by_label("Import map")).to_have_value("deno.json")  # filled from the chosen files
    page.get_by_role("button", name="Deploy").click()
    expect(page.locator("[data-operation-status]")).to_have_attribute(
        "data-operation-status", "succeeded", timeout=60_000
    )
    # The operation says what it was and on what, and links to what it changed (problem 5).
    expect(page.locator("h1")).to_contain_text("Deploy function greet on production")
    expect(page.locator("[data-operation-status]")).to_contain_text("Function greet is deployed on production.")
    expect(page.get_by_role("link", name="Open function greet")).to_be_visible()

    page.goto(f"{live_server.url}/platform/projects/{ref}/functions/")
    row = page.locator('tr[data-function="greet"]')
    expect(row).to_contain_text("ACTIVE".lower())
    row.get_by_role("link").first.click()
    expect(page.locator('[data-file="index.ts"]')).to_contain_text("hello ${")
    page.get_by_label("Body").fill('{"name": "browser"}')
    page.get_by_role("button", name="Invoke").click()
    expect(page.locator("[data-invoke-status]")).to_have_text("200", timeout=30_000)
    expect(page.locator("[data-invoke-body]")).to_contain_text('"greeting": "hello browser"')
    page.screenshot(path=str(_artifacts() / "function-invoked.png"), full_page=True)
    assert client.functions.get(ref, "greet").import_map is True
