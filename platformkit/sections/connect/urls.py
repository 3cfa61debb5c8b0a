from __future__ import annotations

from django.urls import path

from platformkit.sections.connect import views

urlpatterns = [
    path("projects/<project_ref:ref>/connect/", views.index, name="connect"),
    path("projects/<project_ref:ref>/connect/reveal/", views.reveal, name="connect-reveal"),
    path("projects/<project_ref:ref>/connect/database.types.ts", views.types_download, name="connect-types"),
]
