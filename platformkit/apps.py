from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PlatformkitConfig(AppConfig):
    name = "platformkit"
    verbose_name = "Platform kit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from platformkit.core import converters

        converters.register()  # before any URLconf is imported
        from platformkit import checks  # noqa: F401  (registers the system checks)
        from platformkit.sections.advisors.services import security_gate
        from platformkit.sections.advisors.tasks import ensure_schedule
        from platformkit.sections.branches.services import MERGE_CHECKS
        from platformkit.sections.migrations.services import AFTER_CHANGE_HOOKS
        from platformkit.sections.restore_points.services import on_schema_change

        if on_schema_change not in AFTER_CHANGE_HOOKS:
            AFTER_CHANGE_HOOKS.append(on_schema_change)
        if security_gate not in MERGE_CHECKS:  # the security advisor runs before every merge
            MERGE_CHECKS.append(security_gate)
        post_migrate.connect(ensure_schedule, sender=self, dispatch_uid="platformkit-advisor-schedule")
