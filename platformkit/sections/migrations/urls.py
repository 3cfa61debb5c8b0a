from __future__ import annotations

from django.urls import path

from platformkit.sections.migrations import views

urlpatterns = [
    path("projects/<project_ref:ref>/migrations/", views.history, name="migrations"),
    path("projects/<project_ref:ref>/migrations/apply/", views.apply, name="migrations-apply"),
    path("projects/<project_ref:ref>/migrations/rollback/", views.rollback, name="migrations-rollback"),
    path("projects/<project_ref:ref>/migrations/seed/", views.seed, name="migrations-seed"),
    path("projects/<project_ref:ref>/migrations/<migration_version:version>/", views.detail, name="migrations-detail"),
]
