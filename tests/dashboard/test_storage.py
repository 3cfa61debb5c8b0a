"""The Storage section against the local API (real HTTP, real PostgreSQL): the bucket cards an
operator sees for buckets made with SQL."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.dashboard.conftest import assert_valid_html

BUCKETS = """
set local role service_role;
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('avatars', 'avatars', true, 5242880, array['image/png', 'image/jpeg']),
       ('invoices', 'invoices', false, null, null),
       ('<b>x</b>', '<b>x</b>', false, null, null)
"""


@pytest.fixture
def project_ref(api: Any, upstream: Any, make_project: Any) -> str:
    ref = make_project("Storage project").ref
    deadline = time.monotonic() + 20
    while upstream.projects.get(ref).status != "ACTIVE_HEALTHY":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return ref


def card(html: str, name: str) -> str:
    found = re.search(rf'<li class="pk-card pk-bucket" data-bucket="{re.escape(name)}">(.*?)</li>', html, re.S)
    assert found, f"no card for {name}"
    return found.group(1)


def test_no_buckets_says_so(operator_client: Client, project_ref: str) -> None:
    response = operator_client.get(reverse("platformkit:storage", args=[project_ref]))
    assert response.status_code == 200
    assert_valid_html(response.content)
    assert b"This project has no buckets yet." in response.content


def test_bucket_cards_show_visibility_limits_and_types(
    operator_client: Client, project_ref: str, upstream: Any
) -> None:
    upstream.database.query(project_ref, BUCKETS)
    response = operator_client.get(reverse("platformkit:storage", args=[project_ref]))
    assert response.status_code == 200
    assert_valid_html(response.content)
    html = response.content.decode()
    avatars = card(html, "avatars")
    assert 'data-visibility="public"' in avatars and ">Public<" in avatars
    assert 'data-size-limit="5242880"' in avatars and "5.0\xa0MB" in avatars
    assert "<code>image/png</code>, <code>image/jpeg</code>" in avatars
    assert "Created" in avatars and "Updated" in avatars
    invoices = card(html, "invoices")
    assert 'data-visibility="private"' in invoices and "the project's limit" in invoices and ">any<" in invoices
    # Bucket names are text, never markup.
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    # Cards come in the API's order (by name).
    assert html.index('data-bucket="avatars"') < html.index('data-bucket="invoices"')


def test_the_section_is_in_the_project_navigation(operator_client: Client, project_ref: str) -> None:
    page = operator_client.get(reverse("platformkit:project", args=[project_ref])).content.decode()
    assert f'href="{reverse("platformkit:storage", args=[project_ref])}"' in page


def test_an_api_failure_is_a_panel_not_a_500(
    operator_client: Client, project_ref: str, settings: Any, closed_port_url: str
) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_URL": closed_port_url, "MAX_RETRIES": 0}
    response = operator_client.get(reverse("platformkit:storage", args=[project_ref]))
    assert response.status_code == 200 and b'data-upstream-error="unreachable"' in response.content
