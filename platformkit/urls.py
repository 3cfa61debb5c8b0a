"""Mount with ``path("platform/", include("platformkit.urls"))``; templates reverse
``platformkit:...`` names, so any prefix (and instance namespace) works."""

from __future__ import annotations

# ruff: noqa: I001 (views.project registers the project_ref converter before the others' patterns)
from .views import project
from .embed import views as embed
from .embed.requests import framed
from .views import (
    advisors,
    api_keys,
    branches,
    claim,
    compute,
    config,
    functions,
    logs,
    migrations,
    operations,
    projects,
    restore_points,
    secrets,
    sql,
)

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
