from __future__ import annotations

from django.urls import path

from platformkit.sections.audit import views

urlpatterns = [
    path("audit/", views.all_projects, name="audit-all"),
    path("audit/export.csv", views.all_projects_export, name="audit-all-export"),
    path("projects/<project_ref:ref>/audit/", views.index, name="audit"),
    path("projects/<project_ref:ref>/audit/export.csv", views.export, name="audit-export"),
]
