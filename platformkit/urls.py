"""Mount with ``path("platform/", include("platformkit.urls"))``; templates reverse
``platformkit:...`` names, so any prefix (and instance namespace) works."""

from __future__ import annotations

from .views import operations, project, projects, restore_points

app_name = "platformkit"

urlpatterns = [*projects.urlpatterns, *project.urlpatterns, *operations.urlpatterns, *restore_points.urlpatterns]
