from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PlatformkitConfig(AppConfig):
    name = "platformkit"
    verbose_name = "Platform kit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .advisor_tasks import ensure_schedule
        from .advisors import security_gate
        from .branches import MERGE_CHECKS
        from .recovery import on_schema_change
        from .schema_changes import AFTER_CHANGE_HOOKS

        if on_schema_change not in AFTER_CHANGE_HOOKS:
            AFTER_CHANGE_HOOKS.append(on_schema_change)
        if security_gate not in MERGE_CHECKS:  # the security advisor runs before every merge
            MERGE_CHECKS.append(security_gate)
        post_migrate.connect(ensure_schedule, sender=self, dispatch_uid="platformkit-advisor-schedule")
