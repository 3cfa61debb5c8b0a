"""A slow or hung Management API does not hold the settings pages: the page (title, tabs,
navigation) is sent at once with its panel loading, the panel's own request fills it in, and a
hung API ends in the error panel with a Try again button. The slowness is a local API
answering late (real HTTP, real records), as in test_slow_panels."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from tests.dashboard.conftest import assert_valid_html, htmx_get
from tests.dashboard.test_slow_panels import project_ref, slow  # noqa: F401 (fixtures)

PAGES = {
    "config": ("settings/config/auth/", "the Auth settings", "data-config-form"),
    "compute": ("settings/compute/", "the compute options", 'id="pk-compute-title"'),
    "api_keys": ("settings/api-keys/", "the API keys", "data-api-keys"),
    "secrets": ("settings/secrets/", "the secrets", 'class="pk-empty">No secrets yet.'),
    "claim": ("settings/transfer/", "the transfer state", "data-claim"),
}


@pytest.mark.parametrize("page_name", PAGES)
def test_a_slow_settings_page_is_sent_at_once_and_its_panel_fills_in(
    operator_client: Client,
    project_ref: str,  # noqa: F811
    slow: Any,  # noqa: F811
    page_name: str,
) -> None:
    path, what, filled = PAGES[page_name]
    url = f"/platform/projects/{project_ref}/{path}"
    slow(1.5)
    started = time.monotonic()
    page = operator_client.get(url)
    took = time.monotonic() - started
    html = page.content.decode()
    assert page.status_code == 200
    assert_valid_html(html)
    assert took < 1.5 * 2, f"the page waited {took:.1f} s for a 1.5 s API"  # the banner waits PANEL_WAIT too
    loading = html.split("data-panel-loading")[0].rsplit("<div", 1)[1]
    assert f'hx-get="{url}"' in loading and 'hx-trigger="load"' in loading
    assert f"Loading {what}…" in html and filled not in html
    assert 'class="pk-tabs"' in html  # the settings tabs are there at once

    panel = htmx_get(operator_client, url).content.decode()
    assert_valid_html(panel, fragment=True)
    assert "data-panel-loading" not in panel and filled in panel
    assert panel.lstrip().startswith('<div id="pk-settings-panel"')  # the panel alone, swapped over the placeholder


@pytest.mark.parametrize("page_name", PAGES)
def test_a_hung_api_ends_a_settings_panel_with_a_retry_button(
    operator_client: Client,
    project_ref: str,  # noqa: F811
    slow: Any,  # noqa: F811
    page_name: str,
) -> None:
    path = PAGES[page_name][0]
    url = f"/platform/projects/{project_ref}/{path}"
    slow(4.0, timeout=1.0)
    started = time.monotonic()
    panel = htmx_get(operator_client, url).content.decode()
    took = time.monotonic() - started
    assert took < 3.5, f"the panel hung for {took:.1f} s"
    assert_valid_html(panel, fragment=True)
    assert 'data-upstream-error="timeout"' in panel
    retry = panel.split(">Try again</a>")[0].rsplit("<a", 1)[1]
    assert f'hx-get="{url}"' in retry and 'hx-target="#pk-settings-panel"' in retry


def test_a_quick_api_renders_the_settings_panel_in_place(operator_client: Client, project_ref: str) -> None:  # noqa: F811
    html = operator_client.get(f"/platform/projects/{project_ref}/settings/config/auth/").content.decode()
    assert "data-panel-loading" not in html and "data-config-form" in html
