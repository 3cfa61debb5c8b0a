"""platformkit: an embeddable, server-rendered dashboard over the Supabase Management API."""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"

# Modules of 0.1 that moved into sections/, for one release. django-q2 stores a task's dotted
# path in every queued task and schedule and resolves it with ``pydoc.locate``, which falls back
# to attribute access on this package for a module that no longer exists: so a task queued
# before an upgrade still runs (migration 0008 rewrites the advisor schedule). ``claim`` was
# documented for hosts (``platformkit.claim.project_from_state``).
MOVED_MODULES = {
    "tasks": "platformkit.sections.projects.tasks",  # wait_for_project_healthy
    "lifecycle_tasks": "platformkit.sections.projects.tasks",  # wait_for_project_status
    "recovery_tasks": "platformkit.sections.restore_points.tasks",  # wait_for_restore_point
    "config_tasks": "platformkit.sections.settings.config.tasks",  # apply_when_healthy
    "advisor_tasks": "platformkit.sections.advisors.tasks",  # scan_all
    "branches": "platformkit.sections.branches.tasks",  # follow_action_run
    "functions": "platformkit.sections.functions.tasks",  # deploy_task
    "claim": "platformkit.sections.settings.claim.services",  # project_from_state
}


def __getattr__(name: str) -> ModuleType:
    if name in MOVED_MODULES:
        return importlib.import_module(MOVED_MODULES[name])
    raise AttributeError(f"module 'platformkit' has no attribute {name!r}")
