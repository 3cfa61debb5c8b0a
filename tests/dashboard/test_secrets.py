"""Settings → Secrets through the dashboard: bulk add from .env and JSON, overwrite warning,
SUPABASE_ refused with the input kept, delete, values never on a page or in the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from platformkit.models import AuditEvent
from platformkit.sections.settings.secrets.forms import parse_secrets
from tests.dashboard.conftest import assert_valid_html


@pytest.fixture
def ref(make_project: Any) -> str:
    return str(make_project("With secrets").ref)


def test_add_overwrite_and_delete(operator_client: Client, ref: str, upstream: Any) -> None:
    add = reverse("platformkit:secrets-add", args=[ref])
    response = operator_client.post(
        add, {"secrets": "# comment\nOPENAI_API_KEY=sk-very-secret\nexport STRIPE_KEY='whsec_1'\n"}
    )
    assert response.status_code == 302
    page = operator_client.get(reverse("platformkit:secrets", args=[ref])).content.decode()
    assert_valid_html(page)
    assert "OPENAI_API_KEY" in page and "STRIPE_KEY" in page and "sk-very-secret" not in page and "whsec_1" not in page

    again = operator_client.post(add, {"secrets": '{"OPENAI_API_KEY": "sk-new", "OTHER": "x"}'})
    assert (
        again.status_code == 409 and b"will be replaced" in again.content and b"sk-new" in again.content
    )  # input kept
    assert {s.name for s in upstream.secrets.list(ref)} == {"OPENAI_API_KEY", "STRIPE_KEY"}
    assert (
        operator_client.post(
            add, {"secrets": '{"OPENAI_API_KEY": "sk-new", "OTHER": "x"}', "overwrite": "yes"}
        ).status_code
        == 302
    )
    assert {s.name for s in upstream.secrets.list(ref)} == {"OPENAI_API_KEY", "OTHER", "STRIPE_KEY"}

    assert (
        operator_client.post(
            reverse("platformkit:secrets-delete", args=[ref]), {"name": ["OTHER", "STRIPE_KEY"]}
        ).status_code
        == 302
    )
    assert [s.name for s in upstream.secrets.list(ref)] == ["OPENAI_API_KEY"]
    for event in AuditEvent.objects.filter(action__startswith="settings.secrets"):
        assert "sk-" not in str(event.detail) and "whsec" not in str(event.detail)


def test_reserved_names_are_refused_and_the_input_kept(operator_client: Client, ref: str, upstream: Any) -> None:
    response = operator_client.post(
        reverse("platformkit:secrets-add", args=[ref]), {"secrets": "SUPABASE_URL=x\nOK_NAME=y"}
    )
    assert (
        response.status_code == 400 and b"reserved by Supabase" in response.content and b"OK_NAME=y" in response.content
    )
    assert upstream.secrets.list(ref) == []


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "at least one"),
        ("NOEQUALS", "no '='"),
        ("1BAD=x", "not a valid"),
        ('{"A": 1}', "string values"),
        ("[{", "not valid JSON"),
    ],
)
def test_parse_explains_bad_input(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_secrets(text)


def test_parse_reads_both_shapes() -> None:
    assert parse_secrets('A="quoted value"\nB=plain=with=equals') == {"A": "quoted value", "B": "plain=with=equals"}
    assert parse_secrets('[{"name": "A", "value": "1"}]') == {"A": "1"}
