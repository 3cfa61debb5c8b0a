from __future__ import annotations

from django.apps import AppConfig


class PlatformkitConfig(AppConfig):
    name = "platformkit"
    verbose_name = "Platform kit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .recovery import on_schema_change
        from .schema_changes import AFTER_CHANGE_HOOKS

        if on_schema_change not in AFTER_CHANGE_HOOKS:
            AFTER_CHANGE_HOOKS.append(on_schema_change)
