"""The Users section against the local API: auth.users as the operator sees it, read-only."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.dashboard.conftest import assert_valid_html

ANN = "11111111-1111-4111-8111-111111111111"
SETUP = f"""
insert into auth.users (id, email, phone, created_at, email_confirmed_at, last_sign_in_at)
values ('{ANN}', 'ann@example.com', '15550001', now() - interval '2 days', now(), now());
insert into auth.identities (provider_id, user_id, identity_data, provider)
values ('{ANN}', '{ANN}', '{{"email": "ann@example.com"}}', 'email'), ('gh-42', '{ANN}', '{{}}', 'github');
insert into auth.users (email, created_at)
  select 'user' || g || '@example.com', now() - g * interval '1 hour' from generate_series(1, 60) g;
insert into auth.users (email, created_at) values ('<b>old</b>@example.com', now() - interval '40 days');
"""


@pytest.fixture
def project_ref(api: Any, upstream: Any, make_project: Any) -> str:
    ref = make_project().ref
    deadline = time.monotonic() + 20
    while upstream.projects.get(ref).status != "ACTIVE_HEALTHY":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    upstream.database.query(ref, SETUP)
    return ref


def users_page(client: Client, ref: str, **params: str) -> Any:
    return client.get(reverse("platformkit:users", args=[ref]), params)


def test_list_pages_newest_first_with_chart(operator_client: Client, project_ref: str) -> None:
    response = users_page(operator_client, project_ref)
    assert response.status_code == 200
    assert_valid_html(response.content)
    html = response.content.decode()
    emails = re.findall(r'<a href="[^"]+">([^<]+@example\.com)</a>', html)
    assert len(emails) == 50 and emails[:2] == ["user1@example.com", "user2@example.com"]
    # Sign-ups per day: 7 bars, the 61 of the last week counted (the 40-day-old one is not).
    assert html.count("data-day=") == 7 and "62 in the last 7 days" not in html and "61 in the last 7 days" in html
    older = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    html = operator_client.get(older).content.decode()
    later = re.findall(r'<a href="[^"]+">([^<]+@example\.com)</a>', html)
    assert len(later) == 12 and not set(later) & set(emails) and "&lt;b&gt;old&lt;/b&gt;@example.com" in later[-1]
    assert "ann@example.com" in emails + later
    assert 'rel="next"' not in html
    html = users_page(operator_client, project_ref, days="90").content.decode()
    assert html.count("data-day=") == 90 and "62 in the last 90 days" in html
    assert users_page(operator_client, project_ref, days="12").status_code == 400
    assert users_page(operator_client, project_ref, after="nonsense").status_code == 400


@pytest.mark.parametrize("search", ["ANN@example", "5550001", ANN])
def test_search_by_email_phone_or_id(operator_client: Client, project_ref: str, search: str) -> None:
    html = users_page(operator_client, project_ref, q=search).content.decode()
    assert re.findall(r'<tr data-user="([^"]+)">', html) == [ANN]
    assert "email, github" in html or "github, email" in html


def test_search_is_a_value_not_sql(operator_client: Client, project_ref: str) -> None:
    html = users_page(operator_client, project_ref, q="' or 1=1 --").content.decode()
    assert "No user matches" in html


def test_detail_shows_identities_and_offers_no_actions(operator_client: Client, project_ref: str) -> None:
    response = operator_client.get(reverse("platformkit:users-detail", args=[project_ref, ANN]))
    assert response.status_code == 200
    assert_valid_html(response.content)
    html = response.content.decode()
    assert 'data-provider="email"' in html and 'data-provider="github"' in html and "gh-42" in html
    main = html.split('id="pk-page"', 1)[1]
    assert 'data-confirmed="yes"' in main and 'method="post"' not in main
    missing = operator_client.get(reverse("platformkit:users-detail", args=[project_ref, "2" * 8 + ANN[8:]]))
    assert missing.status_code == 404
    assert operator_client.get(reverse("platformkit:users-detail", args=[project_ref, "nope"])).status_code == 404
