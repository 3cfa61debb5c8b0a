"""Embeds are offered only what the session may do, in every section, and a refused action
answers inside its section: its own 403 page with the navigation, a link back and what was
typed, never a bare "Not allowed" filling the frame."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.models import EmbedSession
from tests.dashboard.conftest import assert_valid_html
from tests.dashboard.test_lifecycle import healthy
from tests.embed.conftest import embed_client, embed_settings  # noqa: F401 (fixtures)

HELLO = "Deno.serve(() => new Response('hi'))"


@pytest.fixture
def project_ref(make_project: Any, upstream: Any) -> str:
    project = make_project("Offered")
    healthy(upstream, project.ref)
    upstream.functions.create(project.ref, slug="hello", name="hello", body=HELLO)
    upstream.secrets.create(project.ref, {"API_KEY": "abc"})
    return project.ref


def _page(client: Client, name: str, *args: str) -> str:
    response = client.get(reverse(f"platformkit:{name}", args=list(args)))
    assert response.status_code == 200, response.content.decode()[-1500:]
    return response.content.decode()


def _forms(ref: str) -> dict[str, tuple[tuple[str, ...], list[str]]]:
    """page -> (its URL name and args, the form actions it offers an operator)."""
    return {
        "functions": (("functions", ref), [reverse("platformkit:functions-deploy", args=[ref])]),
        "function": (
            ("function", ref, "hello"),
            [reverse(f"platformkit:function-{name}", args=[ref, "hello"]) for name in ("invoke", "settings", "delete")],
        ),
        "secrets": (
            ("secrets", ref),
            [reverse("platformkit:secrets-add", args=[ref]), reverse("platformkit:secrets-delete", args=[ref])],
        ),
        "config": (("config", ref, "auth"), ["Review changes"]),
        "compute": (
            ("compute", ref),
            [reverse("platformkit:compute-review", args=[ref]), reverse("platformkit:compute-pitr", args=[ref])],
        ),
        "claim": (("claim", ref), [reverse("platformkit:claim-token-create", args=[ref])]),
        "branches": (("branches", ref), [reverse("platformkit:branches-create", args=[ref])]),
        "advisors": (("advisors", ref), [reverse("platformkit:advisors-run", args=[ref])]),
    }


def test_read_only_embed_sections_offer_no_action_an_operator_sees(
    operator_client: Client,
    embed_client: Any,  # noqa: F811
    project_ref: str,
) -> None:
    sections = dict.fromkeys(("functions", "settings", "branches", "advisors"), "read")
    reader = embed_client(project_ref, {"sections": sections, "deny": ["advisors.run"]})
    for page, ((name, *args), offered) in _forms(project_ref).items():
        operator_page = _page(operator_client, name, *args)
        assert all(action in operator_page for action in offered), page
        embed_page = _page(reader, name, *args)
        assert not any(action in embed_page for action in offered), page
        assert_valid_html(embed_page)
    # What it may see is still shown: the function, the secret's name, the config's values.
    assert "API_KEY" in _page(reader, "secrets", project_ref)
    config = _page(reader, "config", project_ref, "auth")
    assert "data-config-read-only" in config and "<fieldset" in config and " disabled>" in config
    assert "data-function-settings" in _page(reader, "function", project_ref, "hello")


def test_a_denied_action_is_left_out_while_the_rest_is_offered(
    embed_client: Any,  # noqa: F811
    project_ref: str,
) -> None:
    client = embed_client(
        project_ref,
        {
            "sections": {"functions": "write", "settings": "write"},
            "deny": ["functions.delete", "settings.api_keys.reveal", "settings.secrets.delete"],
        },
    )
    detail = _page(client, "function", project_ref, "hello")
    assert reverse("platformkit:function-invoke", args=[project_ref, "hello"]) in detail
    assert reverse("platformkit:function-delete", args=[project_ref, "hello"]) not in detail
    secrets = _page(client, "secrets", project_ref)
    assert reverse("platformkit:secrets-add", args=[project_ref]) in secrets
    assert reverse("platformkit:secrets-delete", args=[project_ref]) not in secrets
    keys = _page(client, "api-keys", project_ref)
    assert "/reveal/" not in keys and "data-api-keys" in keys


def test_a_refused_action_answers_inside_its_section_with_the_typed_input_kept(
    embed_client: Any,  # noqa: F811
    project_ref: str,
) -> None:
    client = embed_client(project_ref, {"sections": {"functions": "write"}, "deny": ["functions.invoke"]})
    csrf = {"HTTP_X_CSRFTOKEN": EmbedSession.objects.latest("pk").csrf_secret}
    response = client.post(
        reverse("platformkit:function-invoke", args=[project_ref, "hello"]),
        {"method": "POST", "body": '{"name": "typed by hand"}', "headers": "X-Trace: 1"},
        **csrf,
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert_valid_html(html)
    assert 'data-embed-error="403"' in html and "does not include this action" in html
    assert 'aria-current="page"' in html and ">Functions<" in html  # the section's navigation is kept
    back = reverse("platformkit:functions", args=[project_ref])
    assert f'href="{back}" data-refused-back' in html
    assert "{&quot;name&quot;: &quot;typed by hand&quot;}" in html  # what was typed, to copy
    assert "csrfmiddlewaretoken" not in html.split("data-refused")[1]


def test_a_read_only_refusal_never_echoes_a_secret(
    embed_client: Any,  # noqa: F811
    project_ref: str,
    upstream: Any,
) -> None:
    client = embed_client(project_ref, {"sections": {"settings": "read"}})
    csrf = {"HTTP_X_CSRFTOKEN": EmbedSession.objects.latest("pk").csrf_secret}
    response = client.post(
        reverse("platformkit:secrets-add", args=[project_ref]), {"secrets": "TOKEN=s3cret-value"}, **csrf
    )
    assert response.status_code == 403 and "lets you look, not change" in response.content.decode()
    assert "s3cret-value" not in response.content.decode()
    assert [secret.name for secret in upstream.secrets.list(project_ref)] == ["API_KEY"]


def test_an_htmx_refusal_is_swapped_over_the_page(
    embed_client: Any,  # noqa: F811
    project_ref: str,
) -> None:
    client = embed_client(project_ref, {"sections": {"functions": "read"}})
    csrf = {"HTTP_X_CSRFTOKEN": EmbedSession.objects.latest("pk").csrf_secret}
    response = client.post(
        reverse("platformkit:function-invoke", args=[project_ref, "hello"]),
        {"method": "GET"},
        HTTP_HX_REQUEST="true",
        **csrf,
    )
    # A 403 fragment aimed at the page (layout.html's htmx-config swaps 403s in).
    assert response.status_code == 403 and response["HX-Retarget"] == "#pk-page"
    assert "data-refused" in response.content.decode() and "<html" not in response.content.decode()
