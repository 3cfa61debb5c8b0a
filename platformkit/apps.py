from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import import_string


class PlatformkitConfig(AppConfig):
    name = "platformkit"
    verbose_name = "Platform kit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from platformkit import checks  # noqa: F401  (registers the system checks)
        from platformkit.core import converters, sections, takeover

        converters.register()  # before any URLconf is imported
        takeover.connect(self)  # the sweep that restarts runs lost with their worker
        for section in sections.all_sections():
            section.resolve()  # a hook path that does not import fails here, at start-up
            if section.ready:
                import_string(section.ready)(self)
