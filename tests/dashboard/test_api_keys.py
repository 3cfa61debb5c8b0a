"""Settings → API keys: the seed's enable flow, masked by default, reveal audited, delete."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from platformkit.models import AuditEvent
from tests.dashboard.conftest import assert_valid_html


def test_enable_reveal_and_delete(operator_client: Client, make_project: Any, upstream: Any) -> None:
    ref = make_project("With keys").ref
    page = operator_client.get(reverse("platformkit:api-keys", args=[ref])).content.decode()
    assert_valid_html(page)
    assert "Enable publishable and secret keys" in page and 'data-key-type="legacy"' in page

    assert operator_client.post(reverse("platformkit:api-keys-enable", args=[ref])).status_code == 302
    keys = {key.type: key for key in upstream.api_keys.list(ref, reveal=True)}
    assert keys["secret"].secret_jwt_template == {"role": "service_role"} and "publishable" in keys
    secret_value = keys["secret"].api_key
    page = operator_client.get(reverse("platformkit:api-keys", args=[ref])).content.decode()
    assert "Enable publishable" not in page and secret_value not in page  # masked by default
    assert keys["publishable"].api_key in page  # publishable keys are public

    # The POST shows nothing: it redirects to a one-time, no-store GET (post/redirect/get).
    posted = operator_client.post(reverse("platformkit:api-key-reveal", args=[ref, keys["secret"].id]))
    assert posted.status_code == 302 and secret_value not in posted.content.decode()
    assert not AuditEvent.objects.filter(action="settings.api_keys.reveal").exists()  # nothing shown yet
    revealed = operator_client.get(posted["Location"])
    assert secret_value in revealed.content.decode() and revealed["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="settings.api_keys.reveal")
    assert event.detail["key"] == "default" and secret_value not in str(event.detail)
    # A reload (or Back, or the link copied elsewhere) finds the token spent: no secret, no audit.
    again = operator_client.get(posted["Location"]).content.decode()
    assert secret_value not in again and "data-reveal-spent" in again
    assert AuditEvent.objects.filter(action="settings.api_keys.reveal").count() == 1
    # A forged token, or another operator's, shows nothing either.
    other = Client()
    other.force_login(get_user_model().objects.create_user("other", is_staff=True))
    fresh = operator_client.post(reverse("platformkit:api-key-reveal", args=[ref, keys["secret"].id]))["Location"]
    assert secret_value not in other.get(fresh).content.decode()
    forged = reverse("platformkit:api-keys", args=[ref]) + "?reveal=" + keys["secret"].id
    assert secret_value not in operator_client.get(forged).content.decode()

    unconfirmed = operator_client.post(reverse("platformkit:api-key-delete", args=[ref, keys["secret"].id]))
    assert unconfirmed.status_code == 400 and b"Tick the box" in unconfirmed.content
    assert (
        operator_client.post(
            reverse("platformkit:api-key-delete", args=[ref, keys["secret"].id]), {"confirm": "yes"}
        ).status_code
        == 302
    )
    assert "secret" not in {key.type for key in upstream.api_keys.list(ref)}
    assert AuditEvent.objects.filter(action="settings.api_keys.delete").exists()


def test_read_only_operator_cannot_reveal(
    client: Client, make_project: Any, make_user: Any, settings: Any, upstream: Any
) -> None:
    ref = make_project("Read only").ref
    key = upstream.api_keys.create(ref, type="secret", name="default", reveal=True)
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "PERMISSION_POLICY": f"{__name__}.read_only"}
    client.force_login(make_user("viewer", is_staff=True))
    assert client.get(reverse("platformkit:api-keys", args=[ref])).status_code == 200
    response = client.post(reverse("platformkit:api-key-reveal", args=[ref, key.id]))
    assert response.status_code == 403 and (key.api_key or "x") not in response.content.decode()


def read_only(user: Any) -> Any:
    from platformkit.access import Access

    return Access(changeable_refs=frozenset())


def test_a_dot_dot_key_id_cannot_reach_the_project_itself(
    operator_client: Client, make_project: Any, upstream: Any
) -> None:
    """``api-keys/..`` would be the project: deleting that "key" must not delete the project."""
    project = make_project("Keep me")
    for key_id in ("%2E%2E", "%2e", ".."):
        response = operator_client.post(
            f"/platform/projects/{project.ref}/settings/api-keys/{key_id}/delete/", {"confirm": "yes"}
        )
        assert response.status_code == 404
    assert upstream.projects.get(project.ref).name == "Keep me"
