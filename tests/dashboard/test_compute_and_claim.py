"""Settings → Compute and add-ons, and Settings → Transfer (claim token, OAuth transfer)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from platformkit.models import AuditEvent, Operation
from platformkit.sections.projects import tasks
from platformkit.sections.settings.claim import services as claim
from tests.dashboard.conftest import assert_valid_html
from tests.dashboard.test_lifecycle import healthy


@pytest.mark.django_db(transaction=True)
def test_compute_change_names_the_size_and_follows_the_resize(
    operator_client: Client, make_project: Any, upstream: Any
) -> None:
    project = make_project("Growing")
    healthy(upstream, project.ref)
    page = operator_client.get(reverse("platformkit:compute", args=[project.ref]))
    assert_valid_html(page.content)
    assert b"data-current-compute>Micro</strong>" in page.content and b"$0.0206/hour" in page.content
    review = operator_client.post(reverse("platformkit:compute-review", args=[project.ref]), {"variant": "ci_small"})
    assert b"Change compute from Micro to Small?" in review.content and b"Change to Small</button>" in review.content
    assert upstream.billing.addons(project.ref).selected("compute_instance").id == "ci_micro"  # not yet
    unconfirmed = operator_client.post(
        reverse("platformkit:compute-change", args=[project.ref]), {"variant": "ci_small", "confirm": "ci_large"}
    )
    assert unconfirmed.status_code == 400 and b"Confirm the change to Small (ci_small)." in unconfirmed.content
    changed = operator_client.post(
        reverse("platformkit:compute-change", args=[project.ref]), {"variant": "ci_small", "confirm": "ci_small"}
    )
    operation = Operation.objects.get(kind="settings.compute")
    assert changed.status_code == 302 and operation.params == {"from": "ci_micro", "to": "ci_small"}
    assert tasks.wait_for_project_healthy(operation.pk) == "succeeded"
    assert upstream.billing.addons(project.ref).selected("compute_instance").id == "ci_small"
    assert (
        b"data-current-compute>Small</strong>"
        in operator_client.get(reverse("platformkit:compute", args=[project.ref])).content
    )
    assert AuditEvent.objects.get(action="settings.compute").detail["to"] == "ci_small"
    bad = operator_client.post(reverse("platformkit:compute-review", args=[project.ref]), {"variant": "ci_huge"})
    assert bad.status_code == 400 and b"ci_huge is not offered" in bad.content


def test_pitr_addon_enables_point_in_time_recovery(operator_client: Client, make_project: Any, upstream: Any) -> None:
    project = make_project("Recoverable")
    healthy(upstream, project.ref)
    done = operator_client.post(
        reverse("platformkit:compute-pitr", args=[project.ref]), {"variant": "pitr_7"}, follow=True
    )
    assert b"data-current-pitr>7 days</strong>" in done.content
    assert upstream.backups.list(project.ref).pitr_enabled is True
    off = operator_client.post(reverse("platformkit:compute-pitr", args=[project.ref]), {"variant": "off"}, follow=True)
    assert b"data-current-pitr>off</strong>" in off.content and upstream.backups.list(project.ref).pitr_enabled is False


def test_claim_token_is_shown_once_and_revocable(operator_client: Client, make_project: Any, upstream: Any) -> None:
    project = make_project("Claimable")
    page = operator_client.get(reverse("platformkit:claim", args=[project.ref]))
    assert_valid_html(page.content)
    assert b"No claim token." in page.content and b"Remove custom configuration first." in page.content
    assert b"CLAIM_OAUTH_CLIENT_ID" in page.content  # transfer disabled, with the reason
    posted = operator_client.post(reverse("platformkit:claim-token-create", args=[project.ref]))
    # Post/redirect/get: the POST answers a redirect, the token shows on that one GET.
    assert posted.status_code == 302 and "reveal=" in posted["Location"]
    created = operator_client.get(posted["Location"])
    token = created.context["created"]["token"]
    assert token.encode() in created.content and "no-store" in created["Cache-Control"]
    reloaded = operator_client.get(posted["Location"])  # a reload or Back: spent
    assert token.encode() not in reloaded.content and b"data-reveal-spent" in reloaded.content
    later = operator_client.get(reverse("platformkit:claim", args=[project.ref]))
    assert token.encode() not in later.content and b"data-claim-token>Active:" in later.content
    operator_client.post(reverse("platformkit:claim-token-revoke", args=[project.ref]))
    assert b"No claim token." in operator_client.get(reverse("platformkit:claim", args=[project.ref])).content
    assert [e.action for e in AuditEvent.objects.order_by("pk")][-2:] == [
        "settings.claim.token_create",
        "settings.claim.token_revoke",
    ]
    assert token not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_transfer_goes_through_the_claim_screen_and_back(
    operator_client: Client, make_project: Any, upstream: Any, settings: Any
) -> None:
    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "CLAIM_OAUTH_CLIENT_ID": "66666666-6666-4666-8666-666666666666",
        "CLAIM_REDIRECT_URI": "https://builder.example.com/claimed",
    }
    project = make_project("Transferable")
    healthy(upstream, project.ref)
    unconfirmed = operator_client.post(reverse("platformkit:claim-transfer", args=[project.ref]))
    assert unconfirmed.status_code == 400 and b"Confirm that custom configuration" in unconfirmed.content
    started = operator_client.post(reverse("platformkit:claim-transfer", args=[project.ref]), {"cleaned_up": "yes"})
    assert started.status_code == 302
    location = started["Location"]
    assert "/local/project-claim/" in location and settings.PLATFORMKIT["API_TOKEN"] not in location
    slug = upstream.organizations.create("The user's org").slug
    back = httpx.post(location, data={"organization": slug})  # the end user approves on the claim screen
    query = parse_qs(urlsplit(back.headers["location"]).query)
    assert claim.project_from_state(query["state"][0]) == project.ref
    assert upstream.projects.get(project.ref).organization_id == slug
    assert AuditEvent.objects.filter(action="settings.claim.transfer", project_ref=project.ref).exists()


def test_claim_settings_are_checked(settings: Any) -> None:
    from platformkit.checks import check_claim

    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "CLAIM_OAUTH_CLIENT_ID": "not-a-uuid",
        "CLAIM_REDIRECT_URI": "/relative",
    }
    assert {message.id for message in check_claim()} == {"platformkit.E007", "platformkit.E008"}
    settings.PLATFORMKIT = {
        **settings.PLATFORMKIT,
        "CLAIM_OAUTH_CLIENT_ID": "66666666-6666-4666-8666-666666666666",
        "CLAIM_REDIRECT_URI": "",
    }
    assert {message.id for message in check_claim()} == {"platformkit.W004"}


def test_claim_states_signed_before_the_sections_move_still_resolve() -> None:
    from django.core import signing

    state = signing.dumps({"ref": "abcdefghijklmnopqrst"}, salt="platformkit.claim.state")
    assert claim.project_from_state(state) == "abcdefghijklmnopqrst"
