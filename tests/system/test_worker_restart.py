"""A django-q2 worker killed while it polls a project that is coming up: after a restart the
task picks up where it was (the broker redelivers the unacknowledged task, the task re-reads
its Operation row) and the project ends ACTIVE_HEALTHY with the operation succeeded."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from platformkit.core.client import get_client
from platformkit.models import Operation
from platformkit.sections.projects import services as project_services
from tests.system.conftest import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_killed_worker_resumes_the_health_poll_after_restart(slow_localapi, start_worker):
    operator = get_user_model().objects.create_user("restart-operator", is_staff=True)
    client = get_client()
    organization = client.organizations.list()[0]

    operation = project_services.launch_project(
        user=operator,
        name="Survives a worker restart",
        organization_slug=organization.slug,
        region_code="emea",
        instance_size="micro",
    )

    def current() -> Operation:
        return Operation.objects.get(pk=operation.pk)

    first = start_worker()
    wait_until(lambda: current().status == "running" and bool(current().progress), 30, "the first health poll")
    first.kill()

    killed_mid_poll = current()
    assert not killed_mid_poll.is_terminal, "the project must still be coming up when the worker dies"
    assert client.projects.get(killed_mid_poll.project_ref).status == "COMING_UP"

    start_worker()
    wait_until(lambda: current().is_terminal, 60, "the restarted worker to finish the poll")

    finished = current()
    assert finished.status == "succeeded", finished.message
    assert client.projects.get(finished.project_ref).status == "ACTIVE_HEALTHY"
    assert all(status == "ACTIVE_HEALTHY" for status in _service_statuses(finished.progress))


def _service_statuses(progress: dict) -> list[str]:
    services_progress = progress.get("services", progress)
    return [entry["status"] if isinstance(entry, dict) else entry for entry in services_progress.values()]
