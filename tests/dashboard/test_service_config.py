"""Settings → Configuration: generated forms, validation before sending, the diff, the apply
(Auth after waiting for health), conflicts, and secrets never echoed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.models import AuditEvent, Operation
from platformkit.sections.settings.config import tasks as config_tasks
from tests.dashboard.conftest import assert_valid_html
from tests.dashboard.test_lifecycle import healthy


def _sealed(page: Any) -> str:
    match = re.search(rb'name="change" value="([^"]+)"', page.content)
    assert match, "the review page carries the sealed change"
    return match.group(1).decode()


def test_auth_form_lists_grouped_fields_and_hides_secrets(
    operator_client: Client, make_project: Any, upstream: Any
) -> None:
    project = make_project("Configured")
    healthy(upstream, project.ref)
    upstream.config.update(
        project.ref, "auth", {"smtp_pass": "smtp-very-secret", "external_github_secret": "gh-secret-123"}
    )
    page = operator_client.get(reverse("platformkit:config", args=[project.ref, "auth"]))
    assert page.status_code == 200
    assert_valid_html(page.content)
    text = page.content.decode()
    for group in ("General", "Email", "Passwords", "Provider: Github", "Hooks"):
        assert f">{group} <span" in text
    assert 'name="jwt_exp" value="3600"' in text and "Mailer OTP exp" in text
    assert "smtp-very-secret" not in text and "gh-secret-123" not in text
    assert 'name="smtp_pass" type="password"' in text and "set — leave blank to keep" in text
    postgrest = operator_client.get(reverse("platformkit:config", args=[project.ref, "postgrest"])).content.decode()
    assert upstream.config.get(project.ref, "postgrest")["jwt_secret"] not in postgrest and "(hidden)" in postgrest
    assert operator_client.get(reverse("platformkit:config", args=[project.ref, "graphql"])).status_code == 404


def test_bad_input_is_shown_per_field_and_nothing_is_sent(
    operator_client: Client, make_project: Any, upstream: Any
) -> None:
    project = make_project("Validated")
    healthy(upstream, project.ref)
    url = reverse("platformkit:config-review", args=[project.ref, "auth"])
    page = operator_client.post(
        url, {"jwt_exp": "9999999", "mailer_otp_length": "six", "site_url": "https://a.example,https://b.example"}
    )
    assert page.status_code == 400
    text = page.content.decode()
    assert "JWT exp must be at most 604800" in text and "Mailer OTP length must be a whole number" in text
    assert "Site URL does not have the required form" in text
    assert 'value="9999999"' in text and 'value="six"' in text  # what was typed is kept
    assert upstream.config.get(project.ref, "auth")["jwt_exp"] == 3600


def test_review_shows_the_diff_then_apply_changes_storage(
    operator_client: Client, make_project: Any, upstream: Any
) -> None:
    project = make_project("Stored")
    healthy(upstream, project.ref)
    review = operator_client.post(
        reverse("platformkit:config-review", args=[project.ref, "storage"]),
        {
            "fileSizeLimit": "10485760",
            "features.imageTransformation.enabled": ["false", "true"],
            "features.s3Protocol.enabled": ["false", "true"],
        },
    )
    assert review.status_code == 200
    text = review.content.decode()
    assert "Review 2 changes" in text and "<del>52428800</del>" in text and "<ins>10485760</ins>" in text
    assert "<del>False</del>" in text and "<ins>True</ins>" in text
    assert upstream.config.get(project.ref, "storage")["fileSizeLimit"] == 52428800  # nothing before confirming
    done = operator_client.post(
        reverse("platformkit:config-apply", args=[project.ref, "storage"]), {"change": _sealed(review)}, follow=True
    )
    assert b"Storage configuration saved." in done.content
    stored = upstream.config.get(project.ref, "storage")
    assert stored["fileSizeLimit"] == 10485760 and stored["features"]["imageTransformation"] == {"enabled": True}
    event = AuditEvent.objects.get(action="settings.config.storage")
    assert event.detail["fields"] == ["features.imageTransformation.enabled", "fileSizeLimit"]


def test_a_change_made_meanwhile_is_not_overwritten(operator_client: Client, make_project: Any, upstream: Any) -> None:
    project = make_project("Raced")
    healthy(upstream, project.ref)
    review = operator_client.post(
        reverse("platformkit:config-review", args=[project.ref, "realtime"]), {"max_concurrent_users": "500"}
    )
    upstream.config.update(project.ref, "realtime", {"max_concurrent_users": 300})  # someone else, after the review
    conflict = operator_client.post(
        reverse("platformkit:config-apply", args=[project.ref, "realtime"]), {"change": _sealed(review)}
    )
    assert (
        conflict.status_code == 409
        and b"Changed by someone else since your review: Max concurrent users" in conflict.content
    )
    assert upstream.config.get(project.ref, "realtime")["max_concurrent_users"] == 300
    tampered = operator_client.post(
        reverse("platformkit:config-apply", args=[project.ref, "realtime"]), {"change": "x" + _sealed(review)}
    )
    assert tampered.status_code == 400 and b"review it again" in tampered.content


@pytest.mark.django_db(transaction=True)
def test_auth_change_waits_for_a_healthy_service_and_keeps_secrets_encrypted(
    operator_client: Client, make_project: Any, upstream: Any
) -> None:
    project = make_project("Auth change")  # still COMING_UP: the change must wait
    review = None
    healthy(upstream, project.ref)
    review = operator_client.post(
        reverse("platformkit:config-review", args=[project.ref, "auth"]),
        {"smtp_pass": "new-smtp-secret", "mailer_otp_exp": "1800"},
    )
    text = review.content.decode()
    assert "new-smtp-secret" not in text and "(new value)" in text and "<ins>1800</ins>" in text
    upstream.projects.pause(project.ref)  # auth goes down before the confirmation
    applied = operator_client.post(
        reverse("platformkit:config-apply", args=[project.ref, "auth"]), {"change": _sealed(review)}
    )
    operation = Operation.objects.get(kind="settings.config.auth")
    assert applied.status_code == 302 and applied["Location"].endswith(
        reverse("platformkit:operation", args=[operation.pk])
    )
    assert (
        operation.payload_ciphertext
        and "new-smtp-secret" not in operation.payload_ciphertext
        and "new-smtp-secret" not in str(operation.params)
    )
    while upstream.projects.get(project.ref).status != "INACTIVE":
        pass
    upstream.projects.restore(project.ref)  # the task waits through RESTORING, then sends
    assert config_tasks.apply_when_healthy(operation.pk) in ("succeeded", "continued")
    operation.refresh_from_db()
    while operation.status not in Operation.TERMINAL:
        config_tasks.apply_when_healthy(operation.pk)
        operation.refresh_from_db()
    assert operation.status == "succeeded" and operation.payload_ciphertext == ""
    assert upstream.config.get(project.ref, "auth")["mailer_otp_exp"] == 1800
    assert "new-smtp-secret" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def _form_as_submitted(html: str) -> dict[str, list[str]]:
    """What a browser would send for the config form left untouched."""
    from html.parser import HTMLParser

    data: dict[str, list[str]] = {}

    class Form(HTMLParser):
        select: str | None = None
        first_option: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = {key: value or "" for key, value in attrs}
            if tag == "input" and a.get("name") and a["name"] != "csrfmiddlewaretoken":
                if a.get("type") == "checkbox" and "checked" not in a:
                    return
                data.setdefault(a["name"], []).append(a.get("value", ""))
            elif tag == "select":
                self.select, self.first_option = a["name"], None
            elif tag == "option" and self.select:
                if self.first_option is None:
                    self.first_option = a.get("value", "")
                if "selected" in a:
                    data[self.select] = [a.get("value", "")]

        def handle_endtag(self, tag: str) -> None:
            if tag == "select" and self.select:
                data.setdefault(self.select, [self.first_option or ""])
                self.select = None

    Form().feed(html)
    return data


@pytest.mark.parametrize("service", ["auth", "postgrest", "storage", "realtime"])
def test_an_untouched_form_changes_nothing(
    service: str, operator_client: Client, make_project: Any, upstream: Any
) -> None:
    project = make_project(f"Untouched {service}")
    healthy(upstream, project.ref)
    page = operator_client.get(reverse("platformkit:config", args=[project.ref, service]))
    submitted = _form_as_submitted(page.content.decode())
    assert len(submitted) >= 4
    again = operator_client.post(reverse("platformkit:config-review", args=[project.ref, service]), submitted)
    assert again.status_code == 200 and b"Nothing changed." in again.content
