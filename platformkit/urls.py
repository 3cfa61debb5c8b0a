"""Mount with ``path("platform/", include("platformkit.urls"))``; templates reverse
``platformkit:...`` names, so any prefix (and instance namespace) works."""

from __future__ import annotations

from platformkit.embed import views as embed
from platformkit.embed.requests import framed
from platformkit.sections.advisors import views as advisors
from platformkit.sections.branches import views as branches
from platformkit.sections.functions import views as functions
from platformkit.sections.logs import views as logs
from platformkit.sections.migrations import views as migrations
from platformkit.sections.projects import list_views as projects
from platformkit.sections.projects import operation_views as operations
from platformkit.sections.projects import views as project
from platformkit.sections.restore_points import views as restore_points
from platformkit.sections.settings.api_keys import views as api_keys
from platformkit.sections.settings.claim import views as claim
from platformkit.sections.settings.compute import views as compute
from platformkit.sections.settings.config import views as config
from platformkit.sections.settings.secrets import views as secrets
from platformkit.sections.sql import views as sql

app_name = "platformkit"

urlpatterns = [
    *projects.urlpatterns,
    *project.urlpatterns,
    *operations.urlpatterns,
    *branches.urlpatterns,
    *sql.urlpatterns,
    *migrations.urlpatterns,
    *restore_points.urlpatterns,
    *secrets.urlpatterns,
    *advisors.urlpatterns,
    *logs.urlpatterns,
    *functions.urlpatterns,
    *api_keys.urlpatterns,
    *config.urlpatterns,
    *compute.urlpatterns,
    *claim.urlpatterns,
    *embed.urlpatterns,
]
for _pattern in urlpatterns:  # framing headers on every answer, whatever the view
    _pattern.callback = framed(_pattern.callback)
