from __future__ import annotations

from django.urls import path

from platformkit.sections.sql import views

urlpatterns = [
    path("projects/<project_ref:ref>/sql/", views.editor, name="sql"),
    path("projects/<project_ref:ref>/sql/run/", views.run, name="sql-run"),
    path("projects/<project_ref:ref>/sql/save/", views.save, name="sql-save"),
]
