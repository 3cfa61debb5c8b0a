"""The one gate for project views: visibility, write access per section, and the branch target."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory

from platformkit.access import Access, project_view
from platformkit.core.targets import request_target


@project_view("sql")
def read_view(request: HttpRequest, ref: str) -> HttpResponse:
    return HttpResponse(request_target(request).ref)


@project_view("sql", write=True)
def write_view(request: HttpRequest, ref: str) -> HttpResponse:
    return HttpResponse("written")


def _request(operator: Any, path: str = "/") -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = operator
    return request


def test_production_is_the_default_target(operator: Any) -> None:
    assert read_view(_request(operator), ref="abcdefghijklmnopqrst").content == b"abcdefghijklmnopqrst"


def test_the_project_itself_named_as_branch_is_production(operator: Any) -> None:
    response = read_view(_request(operator, "/?branch=abcdefghijklmnopqrst"), ref="abcdefghijklmnopqrst")
    assert response.content == b"abcdefghijklmnopqrst"


def test_hidden_project_is_404_and_read_only_write_is_403(operator: Any, settings: Any) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "PERMISSION_POLICY": f"{__name__}.one_read_only_project"}
    with pytest.raises(Http404):
        read_view(_request(operator), ref="otherprojectrefxxxxx")
    assert read_view(_request(operator), ref="visibleprojectrefxxx").status_code == 200
    refused = write_view(_request(operator), ref="visibleprojectrefxxx")
    # The section's own 403 page, not the host's: its navigation and a way back.
    assert refused.status_code == 403 and b"data-refused-back" in refused.content
    assert b'href="/platform/projects/visibleprojectrefxxx/sql/"' in refused.content


def test_views_declare_their_section_and_mode() -> None:
    assert (read_view.platformkit_section, read_view.platformkit_write) == ("sql", False)
    assert write_view.platformkit_write is True


def one_read_only_project(user: Any) -> Access:
    return Access(visible_refs=frozenset({"visibleprojectrefxxx"}), changeable_refs=frozenset())
