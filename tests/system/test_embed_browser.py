"""The embed in headless Chromium across two sites: the demo host page on ``localhost`` frames
the dashboard on ``127.0.0.1``. The partitioned session cookie must come back inside the frame,
a permitted write must work, a write the permission set forbids must be refused, and a
revoked session must tell the host instead of showing a login page in the frame."""

from __future__ import annotations

import re

import pytest

from tests.system.test_browser import _artifacts, browser_page, launch_active_project, operator, sign_in  # noqa: F401 (fixtures)
from tests.system.test_host_picker_browser import embed_host  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_host_on_another_site_embeds_one_project(embed_host, operator, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    port, client = embed_host
    ref = launch_active_project(client, "Embedded app")  # the host page embeds the first project

    page = browser_page
    sign_in(page, f"http://localhost:{port}/host/")
    expect(page.get_by_role("heading", name="Your app's database")).to_be_visible()
    frame_element = page.locator("#platformkit-frame")
    expect(frame_element).to_have_attribute(
        "src", re.compile(rf"^http://127\.0\.0\.1:{port}/platform/embed/start/\?token=")
    )
    frame = page.frame_locator("#platformkit-frame")

    # The exchange set a Partitioned cookie, which is the only kind a cross-site frame sends back:
    # the overview of the one project renders inside the frame.
    expect(frame.get_by_role("heading", name="Embedded app")).to_be_visible(timeout=15_000)
    expect(page.locator("#host-last-event")).to_contain_text(
        f"/platform/projects/{ref}/"
    )  # postMessage reached the host
    expect(frame.get_by_role("link", name="Projects")).to_have_count(0)  # no way out of the project

    # Permitted: restore points are writable in this embed.
    frame.get_by_role("link", name="Restore points").click()
    frame.get_by_label("Name", exact=True).fill("from-the-frame")
    frame.get_by_role("button", name="Create restore point").click()
    expect(frame.locator("#pk-timeline")).to_contain_text("Restore point from-the-frame", timeout=15_000)

    # Forbidden: migrations are read-only here. The history shows, no form to apply one is
    # offered, and a write sent anyway (a forged form) is refused by the server.
    frame.get_by_role("link", name="Migrations").click()
    expect(frame.locator("[data-migration-history]")).to_be_visible()
    expect(frame.get_by_role("button", name="Apply migration")).to_have_count(0)
    frame_element.element_handle().content_frame().evaluate(
        """(url) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = url;
            const headers = JSON.parse(document.querySelector(".pk-shell").getAttribute("hx-headers"));
            const csrf = document.createElement("input");
            csrf.name = "csrfmiddlewaretoken";
            csrf.value = headers["X-CSRFToken"];
            form.append(csrf);
            document.body.append(form);
            form.submit();
        }""",
        f"/platform/projects/{ref}/migrations/apply/",
    )
    expect(frame.locator('[data-embed-error="403"]')).to_be_visible()
    # The refusal answers inside the migrations section: its navigation stays, a link leads back.
    expect(frame.get_by_role("link", name="Restore points")).to_be_visible()
    frame.locator("[data-refused-back]").click()
    expect(frame.locator("[data-migration-history]")).to_be_visible()
    # The same write sent by htmx (as a button would): the 403 is swapped in where the page was
    # (layout.html's htmx-config), not dropped as htmx drops 4xx answers by default.
    frame_element.element_handle().content_frame().evaluate(
        """(url) => htmx.ajax('POST', url, {
            target: '#pk-page', swap: 'innerHTML',
            headers: JSON.parse(document.querySelector('.pk-shell').getAttribute('hx-headers')),
        })""",
        f"/platform/projects/{ref}/migrations/apply/",
    )
    expect(frame.locator("[data-refused]")).to_be_visible()
    frame.locator("[data-refused-back]").click()
    expect(frame.locator("[data-migration-history]")).to_be_visible()

    # Branches are read-only here: the list shows, no create, merge, reset or delete is offered.
    frame.get_by_role("link", name="Branches").click()
    expect(frame.locator("#pk-branch-list")).to_be_visible()
    expect(frame.get_by_role("button", name="Create branch")).to_have_count(0)
    expect(frame.get_by_role("button", name="Delete")).to_have_count(0)
    page.screenshot(path=str(_artifacts() / "embed-host.png"), full_page=True)

    # The host ends the session: the frame's next page is no login page, the host is
    # told (postMessage) and opens a fresh session from its own page.
    from platformkit.embed import revoke_embed_sessions

    assert revoke_embed_sessions(subject="demo-end-user") == 1
    frame_element.element_handle().content_frame().goto(
        f"http://127.0.0.1:{port}/platform/projects/{ref}/restore-points/"
    )
    expect(frame.locator('[data-embed-error="ended"]')).to_contain_text("This session was ended")
    expect(page.locator("#host-last-event")).to_have_text("The dashboard session was ended.")
    page.get_by_role("button", name="Open a fresh session").click()
    expect(frame.get_by_role("heading", name="Embedded app")).to_be_visible(timeout=15_000)

    from platformkit.models import AuditEvent

    event = AuditEvent.objects.get(action="restore_points.create")
    assert event.actor_label == "embed:demo-end-user" and event.project_ref == ref
