"""Mount with ``path("platform/", include("platformkit.urls"))``; templates reverse
``platformkit:...`` names, so any prefix (and instance namespace) works."""

from __future__ import annotations

from .views import operations, project, projects  # noqa: I001 (project registers the project_ref converter first)
from .embed import views as embed
from .embed.requests import framed
from .views import advisors, api_keys, branches, claim, compute, config, functions, logs, migrations, restore_points, secrets, sql

app_name = "platformkit"

urlpatterns = [
    *projects.urlpatterns, *project.urlpatterns, *operations.urlpatterns,
    *branches.urlpatterns, *sql.urlpatterns, *migrations.urlpatterns, *restore_points.urlpatterns, *secrets.urlpatterns,
    *advisors.urlpatterns, *logs.urlpatterns, *functions.urlpatterns, *api_keys.urlpatterns, *config.urlpatterns, *compute.urlpatterns, *claim.urlpatterns,
    *embed.urlpatterns,
]
for _pattern in urlpatterns:  # framing headers on every answer, whatever the view
    _pattern.callback = framed(_pattern.callback)
