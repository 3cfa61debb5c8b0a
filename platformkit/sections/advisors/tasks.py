"""The scheduled advisor scan: a django-q2 ``Schedule`` (kept in step with
``ADVISOR_SCAN_MINUTES`` after every migrate) runs :func:`scan_all`."""

from __future__ import annotations

import logging
from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate

from platformkit.api import errors
from platformkit.conf import get_config
from platformkit.core.client import get_client
from platformkit.sections.advisors import services as advisors

logger = logging.getLogger(__name__)
SCHEDULE_NAME = "platformkit-advisor-scan"
TASK = "platformkit.sections.advisors.tasks.scan_all"


def scan_all() -> dict[str, int]:
    """Scan every ACTIVE_HEALTHY project and its healthy branches (the merge gate's findings are
    then known before anyone opens the branch); one failure does not stop the others."""
    counts = {"scanned": 0, "failed": 0, "skipped": 0}
    client = get_client(cached=False)
    try:
        projects = client.projects.list()
    except errors.APIError:
        logger.exception("advisor scan: listing projects failed")
        return {**counts, "failed": 1}
    for project in projects:
        if project.status != "ACTIVE_HEALTHY":
            counts["skipped"] += 1
            continue
        targets = [project.ref]
        try:
            branches = client.branches.list(project.ref)
        except errors.APIError:
            logger.exception("advisor scan: listing the branches of %s failed", project.ref)
            counts["failed"] += 1
            branches = []
        for branch in branches:
            if branch.is_default:
                continue
            if branch.preview_project_status == "ACTIVE_HEALTHY" and not branch.deletion_scheduled_at:
                targets.append(branch.project_ref)
            else:
                counts["skipped"] += 1
        for target in targets:
            found = advisors.scan(project.ref, target, trigger="schedule")
            counts["failed" if found.error else "scanned"] += 1
    logger.info("advisor scan: %s", counts)
    return counts


def ensure_schedule(**_: Any) -> None:
    """Create, update or remove the schedule to match the setting (a post_migrate receiver)."""
    if not apps.is_installed("django_q"):
        return
    from django_q.models import Schedule

    minutes = int(get_config()["ADVISOR_SCAN_MINUTES"] or 0)
    if minutes <= 0:
        Schedule.objects.filter(name=SCHEDULE_NAME).delete()
        return
    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": TASK, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1},
    )


def connect(app_config: AppConfig) -> None:
    """This section's ready(): keep the schedule in step with the setting on every migrate."""
    post_migrate.connect(ensure_schedule, sender=app_config, dispatch_uid="platformkit-advisor-schedule")
