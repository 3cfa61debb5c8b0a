"""``platformkit.services``: the client from settings, launching, auditing, the read cache."""

from __future__ import annotations

import string
from typing import Any

import pytest

from platformkit.core.client import DjangoCacheStore, forget_cached_reads, get_client
from platformkit.models import AuditEvent, Operation, ProjectCredential
from platformkit.sections.projects import services as project_services


def test_generated_passwords_are_long_mixed_and_distinct() -> None:
    passwords = {project_services.generate_db_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) >= 32
        for chars in (string.ascii_lowercase, string.ascii_uppercase, string.digits, "-_.~"):
            assert any(char in chars for char in password)


def test_client_is_reused_until_the_settings_change(api: Any, settings: Any) -> None:
    first = get_client()
    assert get_client() is first
    assert get_client(cached=False) is not first
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "REQUEST_TIMEOUT": 3.0}
    assert get_client() is not first


def test_launch_project(api: Any, organization: Any, operator: Any, upstream: Any) -> None:
    operation = project_services.launch_project(
        user=operator,
        name="From services",
        organization_slug=organization.slug,
        region_code="apac",
        instance_size="small",
    )
    project = upstream.projects.get(operation.project_ref)
    assert project.name == "From services"
    assert operation.deadline > operation.created_at and not operation.is_terminal
    assert ProjectCredential.objects.filter(project_ref=project.ref).exists()
    assert AuditEvent.objects.get().detail["operation"] == operation.pk


def test_launch_rejected_upstream_is_audited_and_raised(api: Any) -> None:
    from platformkit.api import errors

    with pytest.raises(errors.APIError):
        project_services.launch_project(
            user=None, name="Nowhere", organization_slug="ghost-org", region_code="emea", instance_size="micro"
        )
    event = AuditEvent.objects.get()
    assert (event.action, event.outcome, event.actor_label) == ("project.create", "failure", "anonymous")
    assert event.detail["organization_slug"] == "ghost-org" and event.detail["error"]
    assert Operation.objects.count() == 0 and ProjectCredential.objects.count() == 0


def test_reveal_is_audited_and_absent_password_is_none(operator: Any) -> None:
    ProjectCredential.store("refreveal00000000000", "the-password")
    assert project_services.reveal_db_password(operator, "refreveal00000000000") == "the-password"
    assert project_services.reveal_db_password(operator, "refmissing0000000000") is None
    outcomes = list(AuditEvent.objects.order_by("created_at").values_list("action", "outcome"))
    assert outcomes == [("project.password.reveal", "success"), ("project.password.reveal", "failure")]
    assert "the-password" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_read_cache_store_forgets_everything_at_once() -> None:
    store = DjangoCacheStore()
    store.set("a", {"x": 1}, 30)
    assert store.get("a") == {"x": 1}
    forget_cached_reads()
    assert store.get("a") is None
    store.set("a", 2, 30)
    assert store.get("a") == 2
