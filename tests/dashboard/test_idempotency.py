"""Idempotency keys on mutating forms (core/idempotency.py): the same form sent twice (double
click, Back and resubmit) changes things upstream once, and the second answer leads where the
first did."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.models import AuditEvent, Operation
from tests.dashboard.conftest import assert_valid_html
from tests.dashboard.test_lifecycle import healthy
from tests.dashboard.test_sql_editor import _active

KEY = re.compile(rb'name="idempotency_key" value="([A-Za-z0-9_-]+)"')


def _keys(page: Any) -> list[str]:
    return [key.decode() for key in KEY.findall(page.content)]


def _form_key(page: Any, action: str) -> str:
    """The key rendered in the form posting to ``action`` (every mutating form has its own)."""
    text = page.content.decode()
    start = text.index(f'action="{action}')
    match = KEY.search(text[start:].encode())
    assert match, f"the form posting to {action} carries an idempotency key"
    return match.group(1).decode()


def test_secret_add_sent_twice_sets_once_and_redirects_to_the_same_place(
    operator_client: Client, make_project: Any, upstream: Any
) -> None:
    ref = make_project("Twice").ref
    page = operator_client.get(reverse("platformkit:secrets", args=[ref]))
    assert_valid_html(page.content)
    add = reverse("platformkit:secrets-add", args=[ref])
    key = _form_key(page, add)
    first = operator_client.post(add, {"secrets": "API_KEY=one", "idempotency_key": key})
    # The second copy would otherwise stop at "will be replaced" (409): it is not run at all.
    second = operator_client.post(add, {"secrets": "API_KEY=one", "idempotency_key": key})
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert [s.name for s in upstream.secrets.list(ref)] == ["API_KEY"]
    assert AuditEvent.objects.filter(action__startswith="settings.secrets").count() == 1
    # A fresh key (the form shown again) is a new request.
    fresh = _form_key(operator_client.get(reverse("platformkit:secrets", args=[ref])), add)
    assert fresh != key
    again = operator_client.post(add, {"secrets": "API_KEY=two", "idempotency_key": fresh})
    assert again.status_code == 409 and b"will be replaced" in again.content


def test_a_refused_form_does_not_spend_its_key(operator_client: Client, make_project: Any, upstream: Any) -> None:
    ref = make_project("Corrected").ref
    add = reverse("platformkit:secrets-add", args=[ref])
    key = _form_key(operator_client.get(reverse("platformkit:secrets", args=[ref])), add)
    refused = operator_client.post(add, {"secrets": "SUPABASE_URL=x", "idempotency_key": key})
    assert refused.status_code == 400
    corrected = operator_client.post(add, {"secrets": "GOOD=x", "idempotency_key": key})
    assert corrected.status_code == 302 and [s.name for s in upstream.secrets.list(ref)] == ["GOOD"]


def test_a_key_is_the_operators_own(operator_client: Client, make_user: Any, make_project: Any, upstream: Any) -> None:
    """Another operator sending the same key (a shared link, a guess) is not sent to the first one's result."""
    ref = make_project("Shared").ref
    add = reverse("platformkit:secrets-add", args=[ref])
    key = "k" * 24
    assert operator_client.post(add, {"secrets": "ONE=x", "idempotency_key": key}).status_code == 302
    other = Client()
    other.force_login(make_user("other", is_staff=True))
    assert other.post(add, {"secrets": "TWO=x", "idempotency_key": key}).status_code == 302
    assert {s.name for s in upstream.secrets.list(ref)} == {"ONE", "TWO"}


def test_malformed_key_is_a_400_and_changes_nothing(operator_client: Client, make_project: Any, upstream: Any) -> None:
    ref = make_project("Malformed").ref
    response = operator_client.post(
        reverse("platformkit:secrets-add", args=[ref]), {"secrets": "A=b", "idempotency_key": "<script>"}
    )
    assert response.status_code == 400 and upstream.secrets.list(ref) == []


def test_config_apply_sent_twice_applies_once(operator_client: Client, make_project: Any, upstream: Any) -> None:
    project = make_project("Configured twice")
    healthy(upstream, project.ref)
    review = operator_client.post(
        reverse("platformkit:config-review", args=[project.ref, "storage"]), {"fileSizeLimit": "10485760"}
    )
    apply = reverse("platformkit:config-apply", args=[project.ref, "storage"])
    sealed = re.search(rb'name="change" value="([^"]+)"', review.content)
    assert sealed is not None
    body = {"change": sealed.group(1).decode(), "idempotency_key": _form_key(review, apply)}
    first = operator_client.post(apply, body)
    upstream.config.update(project.ref, "storage", {"fileSizeLimit": 20971520})  # someone else, meanwhile
    second = operator_client.post(apply, body)  # Back and resubmit: must not put 10 MB back
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert upstream.config.get(project.ref, "storage")["fileSizeLimit"] == 20971520
    assert AuditEvent.objects.filter(action="settings.config.storage").count() == 1


@pytest.mark.django_db(transaction=True)
def test_branch_create_sent_twice_creates_one_branch(operator_client: Client, make_project: Any, upstream: Any) -> None:
    ref = _active(upstream, make_project)
    page = operator_client.get(reverse("platformkit:branches", args=[ref]))
    create = reverse("platformkit:branches-create", args=[ref])
    body = {"name": "dev", "secrets": "", "idempotency_key": _form_key(page, create)}
    first = operator_client.post(create, body)
    second = operator_client.post(create, body)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert [b.name for b in upstream.branches.list(ref) if not b.is_default] == ["dev"]
    assert Operation.objects.filter(kind="branch.create").count() == 1


def test_every_mutating_view_of_these_sections_honours_the_key() -> None:
    """Each write view of the sections that render the key is wrapped, so the field is never decoration."""
    from django.urls import URLPattern, URLResolver, get_resolver

    sections = {"projects", "branches", "migrations", "functions", "restore_points", "advisors", "settings"}
    missing = []

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                view = pattern.callback
                writes = getattr(view, "platformkit_write", False)
                if writes and getattr(view, "platformkit_section", None) in sections and not _wraps_idempotent(view):
                    missing.append(pattern.name)

    walk(get_resolver().url_patterns)
    assert missing == []


def _wraps_idempotent(view: Any) -> bool:
    while view is not None:
        if getattr(view, "platformkit_idempotent", False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False
