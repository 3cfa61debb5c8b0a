"""Mounted under another prefix and instance namespace, pages, links and embeds follow it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from platformkit.embed import create_embed_url
from tests.embed.conftest import HOST

pytestmark = pytest.mark.urls("tests.embed.host_urls")


def test_operator_pages_and_links_use_the_host_prefix(operator: Any, api: Any, make_project: Any) -> None:
    project = make_project("Mounted")
    client = Client()
    client.force_login(operator)
    listing = client.get("/tenant-ops/dash/")
    assert listing.status_code == 200
    links = set(re.findall(r'href="(/[^"]*)"', listing.content.decode()))
    assert f"/tenant-ops/dash/projects/{project.ref}/" in links
    assert not [link for link in links if link.startswith("/platform/")]


def test_embed_under_a_namespace(api: Any, make_project: Any) -> None:
    project = make_project("Mounted embed")
    url = create_embed_url("http://testserver", project.ref, subject="u", origin=HOST, namespace="ops")
    assert url.startswith("http://testserver/tenant-ops/dash/embed/start/?token=")
    client = Client()
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 303 and response["Location"] == f"/tenant-ops/dash/projects/{project.ref}/"
    assert "Path=/tenant-ops/dash/" in response.cookies["platformkit_embed"].OutputString()
    assert client.get(response["Location"]).status_code == 200
