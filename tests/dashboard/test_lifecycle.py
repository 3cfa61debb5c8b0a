"""Pause, restore and delete through the dashboard, and specific regions in the create form."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.models import AuditEvent, Operation, ProjectCredential
from platformkit.sections.projects import tasks
from platformkit.sections.projects import tasks as lifecycle_tasks
from tests.dashboard.conftest import assert_valid_html


def healthy(upstream: Any, ref: str) -> None:
    deadline = time.monotonic() + 30
    while upstream.projects.get(ref).status != "ACTIVE_HEALTHY":
        assert time.monotonic() < deadline
        time.sleep(0.1)


def finish(operation: Operation) -> Operation:
    runner = (
        lifecycle_tasks.wait_for_project_status if operation.kind == "project.pause" else tasks.wait_for_project_healthy
    )
    runner(operation.pk)
    operation.refresh_from_db()
    return operation


# Committed transactions: the overview reads through pool threads with their own connections,
# which must see the cache generation the finished task bumped (as in production).
@pytest.mark.django_db(transaction=True)
def test_pause_then_restore_with_live_status(operator_client: Client, make_project: Any, upstream: Any) -> None:
    project = make_project("Pausable")
    healthy(upstream, project.ref)
    page = operator_client.get(reverse("platformkit:project", args=[project.ref]))
    assert b"Pause project" in page.content and b"Restore project" not in page.content

    # Pausing is not one click: a page says what it does and asks for the ref.
    pause_url = reverse("platformkit:project-pause", args=[project.ref])
    confirm = operator_client.get(pause_url).content.decode()
    assert_valid_html(confirm)
    preview = confirm.split('data-destructive-preview="projects.pause"')[1].split("</div>")[0]
    assert "Every connection to the database drops" in preview and "data-confirm-ref" in preview
    refused = operator_client.post(pause_url, {"confirm_ref": "Pausable"})
    assert refused.status_code == 400 and f"Type the project ref {project.ref} to confirm.".encode() in refused.content
    assert b'value="Pausable"' in refused.content and not Operation.objects.filter(kind="project.pause").exists()
    assert operator_client.post(pause_url, {"confirm_ref": project.ref}).status_code == 302
    paused = finish(Operation.objects.get(kind="project.pause"))
    assert paused.status == "succeeded" and upstream.projects.get(project.ref).status == "INACTIVE"
    page = operator_client.get(reverse("platformkit:project", args=[project.ref]))
    assert b"Restore project" in page.content and b"Done: the project is paused." in page.content

    again = operator_client.post(pause_url, {"confirm_ref": project.ref}, follow=True)
    assert b"only an ACTIVE_HEALTHY project can be paused" in again.content  # the API's reason, shown

    assert operator_client.post(reverse("platformkit:project-resume", args=[project.ref])).status_code == 302
    restored = finish(Operation.objects.get(kind="project.restore"))
    assert restored.status == "succeeded" and upstream.projects.get(project.ref).status == "ACTIVE_HEALTHY"
    assert list(AuditEvent.objects.filter(project_ref=project.ref).values_list("action", flat=True).order_by("pk"))[
        -2:
    ] == ["project.pause", "project.restore"]


def test_delete_needs_the_ref_shows_what_goes_and_removes_our_records(
    operator_client: Client, make_project: Any, upstream: Any
) -> None:
    from platformkit.api import errors

    project = make_project("Doomed")
    ProjectCredential.store(project.ref, "Stored-pass-123456")
    url = reverse("platformkit:project-delete", args=[project.ref])
    healthy(upstream, project.ref)
    upstream.functions.create(project.ref, slug="hello", name="hello", body="Deno.serve(() => new Response('hi'))")
    page = operator_client.get(url)
    assert_valid_html(page.content)
    preview = page.content.decode().split('data-destructive-preview="projects.delete"')[1].split("</div>")[0]
    assert "The project Doomed, its database and its backups" in preview and "Edge Function hello" in preview
    assert "data-confirm-ref" in preview
    wrong = operator_client.post(url, {"confirm_ref": "Doomed"})  # the name is no longer the confirmation
    assert wrong.status_code == 400 and b"Type the project ref" in wrong.content and b'value="Doomed"' in wrong.content
    assert upstream.projects.get(project.ref).name == "Doomed"

    done = operator_client.post(url, {"confirm_ref": project.ref}, follow=True)
    assert b"Project Doomed was deleted." in done.content
    try:
        upstream.projects.get(project.ref)
        raise AssertionError("still there upstream")
    except errors.NotFoundError:
        pass
    assert not ProjectCredential.objects.filter(project_ref=project.ref).exists()
    assert AuditEvent.objects.get(action="project.delete").detail["removed"]["credentials"] == 1


def test_create_form_offers_specific_regions_and_uses_them(
    operator_client: Client, organization: Any, upstream: Any
) -> None:
    page = operator_client.get(reverse("platformkit:project-create")).content.decode()
    assert '<optgroup label="Smart groups">' in page and '<optgroup label="Specific regions">' in page
    assert 'value="specific:eu-west-2"' in page
    response = operator_client.post(
        reverse("platformkit:project-create"),
        {
            "name": "Pinned to London",
            "organization": organization.slug,
            "region": "specific:eu-west-2",
            "instance_size": "micro",
        },
    )
    assert response.status_code == 302
    ref = Operation.objects.get(kind="project.create").project_ref
    assert upstream.projects.get(ref).region == "eu-west-2"
