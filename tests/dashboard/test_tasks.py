"""``wait_for_project_healthy``, called directly (as a worker would), against the local API."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from platformkit.core import operations
from platformkit.models import Operation
from platformkit.sections.projects import services as project_services
from platformkit.sections.projects import tasks
from tests.dashboard.conftest import assert_valid_html, htmx_get


@pytest.fixture
def launched(api: Any, organization: Any, operator: Any) -> Operation:
    return project_services.launch_project(
        user=operator,
        name="Waited for",
        organization_slug=organization.slug,
        region_code="americas",
        instance_size="micro",
    )


def run_until_terminal(operation: Operation, runs: int = 20) -> list[str]:
    results = []
    for _ in range(runs):
        results.append(tasks.wait_for_project_healthy(operation.pk))
        operation.refresh_from_db()
        if operation.is_terminal:
            return results
    raise AssertionError(f"still {operation.status} after {runs} runs: {results}")


def test_task_drives_the_operation_to_succeeded_and_the_poll_stops(
    launched: Operation, operator_client: Client, upstream: Any
) -> None:
    status_url = reverse("platformkit:operation", args=[launched.pk])
    before = htmx_get(operator_client, status_url).content.decode()
    assert 'data-operation-status="pending"' in before
    assert 'hx-trigger="every 2s"' in before and f'hx-get="{status_url}"' in before
    assert_valid_html(before, fragment=True)

    run_until_terminal(launched)

    assert launched.status == "succeeded" and launched.finished_at and launched.started_at
    assert set(launched.service_statuses) == {"db", "auth", "rest", "storage", "realtime"}
    assert set(launched.service_statuses.values()) == {"ACTIVE_HEALTHY"}
    assert upstream.projects.get(launched.project_ref).status == "ACTIVE_HEALTHY"

    response = htmx_get(operator_client, status_url)
    after = response.content.decode()
    assert 'data-operation-status="succeeded"' in after
    assert "hx-trigger" not in after and "hx-get" not in after
    assert "platformkit:operation-finished" in response["HX-Trigger"]
    assert_valid_html(after, fragment=True)


def test_redelivered_task_for_a_finished_operation_does_nothing(launched: Operation) -> None:
    run_until_terminal(launched)
    finished = Operation.objects.get(pk=launched.pk)
    assert tasks.wait_for_project_healthy(launched.pk) == "skipped"
    again = Operation.objects.get(pk=launched.pk)
    assert (again.attempts, again.updated_at, again.status) == (finished.attempts, finished.updated_at, "succeeded")


def test_a_run_holding_the_lease_keeps_a_duplicate_out(launched: Operation) -> None:
    Operation.objects.filter(pk=launched.pk).update(lease_expires_at=timezone.now() + timedelta(seconds=60))
    assert tasks.wait_for_project_healthy(launched.pk) == "skipped"
    Operation.objects.filter(pk=launched.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert run_until_terminal(launched)[-1] == "succeeded"  # an expired lease (a killed run) is taken over


def test_a_run_hands_over_rather_than_outlive_the_worker_timeout(launched: Operation) -> None:
    from django_q.models import OrmQ

    # The next check is due after this run's budget (0.7 x Q_CLUSTER["timeout"]) would end.
    due = time.time() + operations.worker_timeout_seconds()
    Operation.objects.filter(pk=launched.pk).update(progress={"next_check_at": due})
    queued_before = OrmQ.objects.count()
    started = time.monotonic()
    assert tasks.wait_for_project_healthy(launched.pk) == "continued"
    assert time.monotonic() - started < 1, "it did not sleep into the worker timeout"
    launched.refresh_from_db()
    assert launched.status == "running" and launched.lease_expires_at is None and launched.attempts == 1
    assert OrmQ.objects.count() == queued_before + 1, "it re-enqueued itself with the same id"


def test_deadline_times_the_operation_out(launched: Operation) -> None:
    Operation.objects.filter(pk=launched.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    assert tasks.wait_for_project_healthy(launched.pk) == "timed_out"
    launched.refresh_from_db()
    assert launched.is_terminal and "deadline" in launched.message


def test_upstream_errors_are_recorded_and_retried_until_the_deadline(
    launched: Operation, settings: Any, closed_port_url: str
) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_URL": closed_port_url, "MAX_RETRIES": 0}
    Operation.objects.filter(pk=launched.pk).update(deadline=timezone.now() + timedelta(seconds=1.5))
    assert tasks.wait_for_project_healthy(launched.pk) == "timed_out"  # returned, never raised
    launched.refresh_from_db()
    assert launched.progress["checks"] >= 2
    assert launched.progress["last_error"]["type"] == "APIConnectionError"
    assert "APIConnectionError" in launched.message


def test_a_project_gone_upstream_fails_the_operation(api: Any) -> None:
    operation = Operation.objects.create(
        kind="project.create", project_ref="zzzzzzzzzzzzzzzzzzzz", deadline=timezone.now() + timedelta(minutes=1)
    )
    assert tasks.wait_for_project_healthy(operation.pk) == "failed"
    operation.refresh_from_db()
    assert "no longer exists" in operation.message
