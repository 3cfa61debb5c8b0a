"""The operation status endpoint (``platformkit.views.operations``): our database only."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from platformkit.access import Access
from platformkit.models import Operation
from tests.dashboard.conftest import assert_valid_html, htmx_get


def make_operation(**fields: Any) -> Operation:
    defaults = {
        "kind": "project.create",
        "project_ref": "abcdefghijabcdefghij",
        "deadline": timezone.now() + timedelta(minutes=5),
    }
    return Operation.objects.create(**{**defaults, **fields})


def test_running_operation_polls_with_services(operator_client: Client, settings: Any, closed_port_url: str) -> None:
    # The API is unreachable on purpose: this endpoint must not need it.
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_URL": closed_port_url}
    operation = make_operation(
        status="running", progress={"services": {"db": {"status": "ACTIVE_HEALTHY"}, "auth": {"status": "COMING_UP"}}}
    )
    url = reverse("platformkit:operation", args=[operation.pk])
    fragment = htmx_get(operator_client, url).content.decode()
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment
    assert 'data-operation-status="running"' in fragment and 'hx-trigger="every 2s"' in fragment
    assert "<span>db</span>" in fragment and "<span>auth</span>" in fragment
    assert_valid_html(fragment, fragment=True)

    full = operator_client.get(url)
    assert full.status_code == 200 and "HX-Request" in full["Vary"]
    assert_valid_html(full.content)


def test_poll_interval_follows_the_setting(operator_client: Client, settings: Any) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "UI_POLL_INTERVAL": 5}
    operation = make_operation()
    assert (
        'hx-trigger="every 5s"'
        in htmx_get(operator_client, reverse("platformkit:operation", args=[operation.pk])).content.decode()
    )


def test_terminal_operations_stop_polling(operator_client: Client) -> None:
    for status in ["succeeded", "failed", "timed_out"]:
        operation = make_operation(status=status, message="Because <reasons>")
        response = htmx_get(operator_client, reverse("platformkit:operation", args=[operation.pk]))
        fragment = response.content.decode()
        assert f'data-operation-status="{status}"' in fragment and "hx-trigger" not in fragment
        assert "platformkit:operation-finished" in response["HX-Trigger"]
        if status != "succeeded":
            assert "Because &lt;reasons&gt;" in fragment


def test_a_finished_operation_whose_hooks_are_due_keeps_polling_until_they_ran(operator_client: Client) -> None:
    """An undo is saved finished before its finish hooks write its report and its "finished"
    audit entry: the poll that saw it finished then stopped, and the page (and the timeline, which
    refreshes on operation-finished) never showed them without a reload."""
    operation = make_operation(status="succeeded", progress={Operation.HOOKS_DUE: True})
    url = reverse("platformkit:operation", args=[operation.pk])
    due = htmx_get(operator_client, url)
    fragment = due.content.decode()
    assert 'data-operation-status="succeeded"' in fragment and 'hx-trigger="every 2s"' in fragment
    assert "platformkit:operation-finished" not in due.get("HX-Trigger", "")
    operation.progress = {}
    operation.save()
    settled = htmx_get(operator_client, url)
    assert "hx-trigger" not in settled.content.decode()
    assert "platformkit:operation-finished" in settled["HX-Trigger"]


def nothing_visible(user: Any) -> Access:
    return Access(visible_refs=frozenset())


def test_operation_of_a_hidden_project_is_404(operator_client: Client, settings: Any) -> None:
    operation = make_operation()
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "PERMISSION_POLICY": f"{__name__}.nothing_visible"}
    assert operator_client.get(reverse("platformkit:operation", args=[operation.pk])).status_code == 404
    assert operator_client.get(reverse("platformkit:operation", args=[operation.pk + 1000])).status_code == 404


def test_a_finished_operation_says_what_it_did(operator_client: Client, settings: Any, closed_port_url: str) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_URL": closed_port_url}
    said = {
        ("project.create", "succeeded", "All services are healthy."): "Done: Project Shop is up and healthy.",
        ("functions.deploy", "succeeded", "Version 3 of hello is ACTIVE."): (
            "Done: Function hello is deployed on production. Version 3 of hello is ACTIVE."
        ),
        ("settings.config.auth", "running", ""): "Working…",
        ("functions.deploy", "timed_out", "Not done by the deadline."): "Gave up waiting. Not done by the deadline.",
        ("project.restore", "timed_out", "x"): "Gave up waiting: the project was not healthy by the deadline.",
    }
    for (kind, status, message), expected in said.items():
        params = {"name": "Shop"} if kind == "project.create" else {"slug": "hello", "target": "abcdefghijabcdefghij"}
        operation = make_operation(kind=kind, status=status, message=message, params=params)
        page = htmx_get(operator_client, reverse("platformkit:operation", args=[operation.pk])).content.decode()
        assert expected in " ".join(re.sub(r"<[^>]+>", " ", page).split()), (kind, status)
        if kind == "functions.deploy":
            assert "up and healthy" not in page and "every service" not in page
