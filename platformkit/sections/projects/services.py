"""Launching a project (a generated, encrypted password; the health wait), revealing its
password (audited), and what the projects list shows of the launches we made."""

from __future__ import annotations

import logging
import secrets
import string
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from platformkit import crypto
from platformkit.api import errors
from platformkit.api.types import Organization, Project, Region
from platformkit.conf import get_config
from platformkit.core import panels, sections, upstream
from platformkit.core.audit import audit
from platformkit.core.client import forget_cached_reads, get_client
from platformkit.core.operations import WAIT_HEALTHY, enqueue_on_commit
from platformkit.models import Operation, ProjectCredential

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

logger = logging.getLogger(__name__)

SMART_REGION_GROUPS: dict[str, str] = {
    "americas": "Americas",
    "emea": "Europe, Middle East and Africa",
    "apac": "Asia-Pacific",
}


_PASSWORD_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "-_.~")


def generate_db_password(length: int = 40) -> str:
    """A random password with every character class (some hosts' policies demand that), made
    only of URL-safe characters so it fits a connection string unquoted."""
    alphabet = "".join(_PASSWORD_CLASSES)
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(char in chars for char in password) for chars in _PASSWORD_CLASSES):
            return password


SPECIFIC_REGION_PREFIX = "specific:"


def region_selection(value: str) -> dict[str, str]:
    """The create form's region value as the API's ``region_selection``: a smart group's code,
    or ``specific:<code>`` for one specific region."""
    if value.startswith(SPECIFIC_REGION_PREFIX):
        return {"type": "specific", "code": value.removeprefix(SPECIFIC_REGION_PREFIX)}
    return {"type": "smartGroup", "code": value}


def launch_project(
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    name: str,
    organization_slug: str,
    region_code: str,
    instance_size: str,
) -> Operation:
    """Create a project upstream (once; a POST is not replayed), keep its generated password
    encrypted, audit it, and start the task that waits for it to become healthy.

    Upstream errors propagate (``platformkit.api.errors.APIError``) after a failure audit event.
    """
    params = {
        "name": name,
        "organization_slug": organization_slug,
        "region": region_code,
        "instance_size": instance_size,
    }
    crypto.require_keys()  # before the project exists upstream: its password must be storable
    db_password = generate_db_password()
    try:
        project = get_client(cached=False).projects.create(
            name=name,
            organization_slug=organization_slug,
            db_pass=db_password,
            region_selection=region_selection(region_code),
            desired_instance_size=instance_size,
        )
    except errors.APIError as exc:
        audit(
            user,
            "project.create",
            success=False,
            detail={**params, "error": type(exc).__name__, "status": exc.status, "request_id": exc.request_id},
        )
        raise
    forget_cached_reads()
    config = get_config()
    with transaction.atomic():
        ProjectCredential.store(project.ref, db_password)
        operation = Operation.objects.create(
            kind="project.create",
            project_ref=project.ref,
            params=params,
            deadline=timezone.now() + timedelta(seconds=config["HEALTH_POLL_DEADLINE"]),
            created_by_id=user.pk if user is not None and user.is_authenticated else None,
        )
        audit(user, "project.create", project_ref=project.ref, detail={**params, "operation": operation.pk})
    enqueue_on_commit(WAIT_HEALTHY, operation.pk)
    logger.info("launched project %s (operation %s)", project.ref, operation.pk)
    return operation


def reveal_db_password(user: AbstractBaseUser | AnonymousUser | None, project_ref: str) -> str | None:
    """The stored password of a project we launched (``None`` if we hold none); audited."""
    credential = ProjectCredential.objects.filter(project_ref=project_ref).first()
    if credential is None:
        audit(
            user,
            "project.password.reveal",
            project_ref=project_ref,
            success=False,
            detail={"reason": "no stored password"},
        )
        return None
    password = credential.reveal_db_password()
    audit(user, "project.password.reveal", project_ref=project_ref)
    return password


def latest_operation(project_ref: str) -> Operation | None:
    return Operation.objects.filter(project_ref=project_ref).first()


RECENT_RUNNING = 8
# Finished cards are news, not history (that is the audit trail): the last few of this target,
# for an hour, so they do not pile up and push the overview below the fold.
RECENT_FINISHED = 3
FINISHED_SHOWN_FOR = timedelta(hours=1)
_DISMISSED = "platformkit:dismissed-operations:"
_DISMISSED_TTL = 7 * 24 * 3600


def recent_operations(target_ref: str, operator: str) -> list[Operation]:
    """What runs on the target (on production: its branches' runs too) and the target's own
    latest finished operations of the last hour, minus those ``operator`` dismissed."""
    hidden = cache.get(_DISMISSED + operator) or set()
    own = on_target(target_ref)
    running = list(
        Operation.objects.filter(own | Q(project_ref=target_ref) | Q(params__project=target_ref)).exclude(
            status__in=Operation.TERMINAL
        )[:RECENT_RUNNING]
    )
    finished = (
        Operation.objects.filter(own, status__in=Operation.TERMINAL)
        .filter(finished_at__gte=timezone.now() - FINISHED_SHOWN_FOR)
        .exclude(pk__in=hidden)[:RECENT_FINISHED]
    )
    return running + list(finished)


def on_target(target_ref: str) -> Q:
    """Operations that acted on ``target_ref``, recorded either way (``Operation.target_ref``): on
    its row with no ``target``, or on production's row with ``params["target"]`` naming it."""
    return Q(params__target=target_ref) | (Q(project_ref=target_ref) & ~Q(params__has_key="target"))


def dismiss_operation(project_ref: str, operator: str, operation_id: int) -> bool:
    """Hide a finished operation of the project from ``operator``'s overview (a running one stays)."""
    found = (
        Operation.objects.filter(Q(project_ref=project_ref) | Q(params__project=project_ref), pk=operation_id)
        .filter(status__in=Operation.TERMINAL)
        .exists()
    )
    if found:
        hidden = cache.get(_DISMISSED + operator) or set()
        cache.set(_DISMISSED + operator, {*hidden, operation_id}, timeout=_DISMISSED_TTL)
    return found


def launched_sizes(refs: list[str]) -> dict[str, str]:
    """Instance sizes we asked for, by ref: the project list answer carries no size."""
    sizes: dict[str, str] = {}
    for ref, params in Operation.objects.filter(kind="project.create", project_ref__in=refs).values_list(
        "project_ref", "params"
    ):
        sizes.setdefault(ref, params.get("instance_size", ""))
    return sizes


# What the pages read (through the read cache)


def list_projects() -> list[Project]:
    return get_client().projects.list()


def project_rows(projects: list[Project]) -> list[dict[str, Any]]:
    """The projects list's rows: each project, the size we launched it with, its advisors' badge
    (declared by sections as ``project_badges``; they read our database only)."""
    refs = [project.ref for project in projects]
    sizes = launched_sizes(refs)
    findings: dict[str, Any] = {}
    for badges in sections.collect("project_badges"):
        findings.update(badges(refs))
    return [
        {"project": project, "size": sizes.get(project.ref, ""), "advisor": findings.get(project.ref)}
        for project in projects
    ]


def list_organizations() -> list[Organization]:
    return get_client().organizations.list()


def specific_regions(organization_slug: str) -> list[Region]:
    """The specific regions the organization may launch in (the smart groups are always offered)."""
    return get_client().projects.available_regions(organization_slug).specific_regions


def get_project(ref: str) -> Project:
    return get_client().projects.get(ref)


def overview_panels(ref: str, *, wait: bool) -> dict[str, upstream.Outcome[Any] | None]:
    """The overview's project and health, asked at once; None for one still loading (core.panels)."""
    client = panels.panel_client()
    services = get_config()["HEALTH_SERVICES"]
    return panels.gather(
        {"project": lambda: client.projects.get(ref), "health": lambda: client.projects.health(ref, services=services)},
        wait=wait,
    )


def has_stored_password(ref: str) -> bool:
    return ProjectCredential.objects.filter(project_ref=ref).exists()
