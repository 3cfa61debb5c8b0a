"""Names stored or documented before the sections layout keep resolving for one release."""

from __future__ import annotations

import pydoc

import pytest

from platformkit.sections.advisors import tasks as advisor_tasks
from platformkit.sections.branches import tasks as branch_tasks
from platformkit.sections.functions import tasks as function_tasks
from platformkit.sections.projects import tasks as project_tasks
from platformkit.sections.restore_points import tasks as restore_point_tasks
from platformkit.sections.settings.claim import services as claim
from platformkit.sections.settings.config import tasks as config_tasks


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("platformkit.tasks.wait_for_project_healthy", project_tasks.wait_for_project_healthy),
        ("platformkit.lifecycle_tasks.wait_for_project_status", project_tasks.wait_for_project_status),
        ("platformkit.recovery_tasks.wait_for_restore_point", restore_point_tasks.wait_for_restore_point),
        ("platformkit.config_tasks.apply_when_healthy", config_tasks.apply_when_healthy),
        ("platformkit.advisor_tasks.scan_all", advisor_tasks.scan_all),
        ("platformkit.branches.follow_action_run", branch_tasks.follow_action_run),
        ("platformkit.functions.deploy_task", function_tasks.deploy_task),
        ("platformkit.claim.project_from_state", claim.project_from_state),
    ],
)
def test_a_task_queued_before_the_move_still_resolves(old: str, new: object) -> None:
    # django-q2's worker resolves a queued task's path exactly like this (worker.py).
    assert pydoc.locate(old) is new


def test_every_task_path_named_in_the_code_resolves() -> None:
    for path in (
        project_tasks.WAIT_FOR_STATUS,
        restore_point_tasks.TASK,
        branch_tasks.FOLLOW_TASK,
        function_tasks.DEPLOY_TASK,
        advisor_tasks.TASK,
        config_tasks.TASK,
    ):
        assert callable(pydoc.locate(path)), path


def test_unknown_names_still_fail() -> None:
    assert pydoc.locate("platformkit.no_such_module.task") is None


@pytest.mark.django_db
def test_the_migration_moves_a_stored_schedule() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django_q.models import Schedule

    executor = MigrationExecutor(connection)
    executor.migrate([("platformkit", "0007_embed_sql_history")])
    executor.loader.build_graph()
    Schedule.objects.filter(name="old-scan").delete()
    Schedule.objects.create(name="old-scan", func="platformkit.advisor_tasks.scan_all", schedule_type=Schedule.MINUTES)
    executor = MigrationExecutor(connection)
    executor.migrate([("platformkit", "0008_moved_task_paths")])
    assert Schedule.objects.get(name="old-scan").func == "platformkit.sections.advisors.tasks.scan_all"
