"""Embed links: minted for one project, exchanged once for a partitioned session cookie; every
bad link gets a plain error page."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from platformkit.embed import create_embed_url, revoke_embed_sessions
from platformkit.embed.permissions import PermissionError
from platformkit.models import AuditEvent, EmbedGrant, EmbedSession
from tests.embed.conftest import HOST

REF = "abcdefghijklmnopqrst"


def start(client: Client, url: str) -> Any:
    return client.get(url.removeprefix("http://testserver"))


def test_exchange_sets_a_partitioned_cookie_and_strips_the_token() -> None:
    url = create_embed_url(
        "http://testserver", REF, subject="u1", origin=HOST, permissions={"sections": {"sql": "read"}}
    )
    response = start(Client(), url)
    assert response.status_code == 303 and response["Location"] == reverse("platformkit:project", args=[REF])
    assert "token" not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer" and "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == f"frame-ancestors {HOST}"
    cookie = response.cookies["platformkit_embed"].OutputString()
    for attribute in ("HttpOnly", "Secure", "SameSite=None", "Partitioned", "Path=/platform/"):
        assert attribute in cookie
    # Kept past the session's end, so an expired session is told apart from no session.
    from platformkit.conf import get_config

    assert int(response.cookies["platformkit_embed"]["max-age"]) > int(get_config()["EMBED_SESSION_SECONDS"])
    grant = EmbedGrant.objects.get()
    assert grant.used_at is not None and url.split("token=")[1] not in grant.secret_hash
    assert AuditEvent.objects.filter(action="embed.start", project_ref=REF).exists()


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: t[:10], lambda t: "", lambda t: "not-a-token"])
def test_tampered_link_is_a_clear_400(mangle: Any) -> None:
    url = create_embed_url("http://testserver", REF, subject="u1", origin=HOST)
    base, token = url.split("token=")
    response = start(Client(), base + "token=" + mangle(token))
    assert response.status_code == 400 and b'data-embed-error="invalid"' in response.content
    assert b"Traceback" not in response.content and "platformkit_embed" not in response.cookies
    assert EmbedSession.objects.count() == 0


def test_replayed_link_is_refused() -> None:
    url = create_embed_url("http://testserver", REF, subject="u1", origin=HOST)
    assert start(Client(), url).status_code == 303
    again = start(Client(), url)
    assert again.status_code == 410 and b'data-embed-error="used"' in again.content
    assert EmbedSession.objects.count() == 1


def test_expired_link_is_refused() -> None:
    url = create_embed_url("http://testserver", REF, subject="u1", origin=HOST)
    EmbedGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = start(Client(), url)
    assert response.status_code == 410 and b'data-embed-error="expired"' in response.content


def test_a_link_cannot_be_forged_from_another_grant() -> None:
    url = create_embed_url("http://testserver", REF, subject="u1", origin=HOST)
    other = EmbedGrant.objects.create(
        secret_hash="0" * 64,
        project_ref="zzzzzzzzzzzzzzzzzzzz",
        subject="x",
        origin=HOST,
        expires_at=timezone.now() + timedelta(minutes=5),
    )
    from django.core import signing

    secret = signing.loads(url.split("token=")[1], salt="platformkit.embed.grant").partition(".")[2]
    forged = signing.dumps(f"{other.pk}.{secret}", salt="platformkit.embed.grant", compress=False)
    assert start(Client(), url.split("token=")[0] + "token=" + forged).status_code == 400


@pytest.mark.parametrize(
    "options, message",
    [
        ({"origin": "http://evil.example"}, "not in PLATFORMKIT"),
        ({"origin": "javascript:alert(1)"}, "scheme://host"),
        ({"permissions": {"sections": {"sql": "admin"}}}, "mode must be"),
        ({"permissions": {"sections": {"nope": "read"}}}, "unknown section"),
        ({"permissions": {"deny": ["everything"]}}, "'deny' must list"),
        ({"theme": {"--pk-accent": "red;}body{display:none"}}, "#hex"),
        ({"theme": {"background": "#fff"}}, "unknown property"),
        ({"subject": ""}, "subject"),
    ],
)
def test_minting_checks_its_input(options: dict[str, Any], message: str) -> None:
    arguments = {"subject": "u1", "origin": HOST, **options}
    with pytest.raises(PermissionError, match=message):
        create_embed_url("http://testserver", REF, **arguments)


def test_revoked_session_no_longer_opens_pages(embed_client: Any) -> None:
    client = embed_client(REF)
    assert revoke_embed_sessions(subject="end-user-7") == 1
    response = client.get(reverse("platformkit:project", args=[REF]))
    # Not the host's login page inside the frame: a page that tells the host to mint a new link.
    assert response.status_code == 403 and b'data-embed-error="ended"' in response.content
    assert b"This session was ended" in response.content and b'data-session-ended="revoked"' in response.content
    assert f'data-host-origin="{HOST}"'.encode() in response.content
    assert response["Content-Security-Policy"] == f"frame-ancestors {HOST}" and "no-store" in response["Cache-Control"]


def test_expired_session_tells_the_host_and_htmx_requests_reload_the_frame(embed_client: Any) -> None:
    client = embed_client(REF)
    EmbedSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client.get(reverse("platformkit:project", args=[REF]))
    assert page.status_code == 403 and b"This session has expired" in page.content
    assert b'data-session-ended="expired"' in page.content
    poll = client.post(reverse("platformkit:restore-point-create", args=[REF]), {"name": "x"}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 403 and poll["HX-Refresh"] == "true" and poll.content == b""
    assert not AuditEvent.objects.filter(action="restore_points.create").exists()


def test_a_stale_embed_cookie_does_not_lock_out_a_signed_in_operator(
    embed_client: Any, operator: Any, api: Any
) -> None:
    client = embed_client(REF)
    revoke_embed_sessions(subject="end-user-7")
    client.force_login(operator)
    response = client.get(reverse("platformkit:projects"))
    assert response.status_code == 200 and b"data-embed-error" not in response.content


def test_http_endpoint_mints_and_revokes_for_non_python_hosts() -> None:
    client = Client()
    body = {"project_ref": REF, "subject": "u9", "origin": HOST, "permissions": {"sections": {"logs": "read"}}}
    assert client.post("/platform/embed/links", json.dumps(body), content_type="application/json").status_code == 401
    wrong = client.post(
        "/platform/embed/links", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION="Bearer nope"
    )
    assert wrong.status_code == 401
    made = client.post(
        "/platform/embed/links",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer host-key-123",
    )
    assert made.status_code == 201 and made.json()["url"].startswith("http://testserver/platform/embed/start/?token=")
    bad = client.post(
        "/platform/embed/links",
        json.dumps({**body, "origin": "http://x.example"}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer host-key-123",
    )
    assert bad.status_code == 400 and "EMBED_ALLOWED_ORIGINS" in bad.json()["message"]
    assert start(Client(), made.json()["url"]).status_code == 303
    revoked = client.post(
        "/platform/embed/sessions/revoke",
        json.dumps({"subject": "u9"}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer host-key-123",
    )
    assert revoked.json() == {"revoked": 1}


def test_http_endpoint_is_off_without_host_keys(settings: Any) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "EMBED_HOST_KEYS": []}
    assert Client().post("/platform/embed/links", "{}", content_type="application/json").status_code == 404


def test_system_checks_catch_bad_embed_settings(settings: Any) -> None:
    from platformkit.checks import check_embed

    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "EMBED_ALLOWED_ORIGINS": ["https://ok.example", "https://x.example/path"],
        "EMBED_HOST_KEYS": ["short"],
    }
    assert [message.id for message in check_embed()] == ["platformkit.E006", "platformkit.W003"]
    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "EMBED_ALLOWED_ORIGINS": ["https://ok.example"],
        "EMBED_HOST_KEYS": ["k" * 40],
    }
    assert check_embed() == []
