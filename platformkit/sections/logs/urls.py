from __future__ import annotations

from django.urls import path

from platformkit.sections.logs import views

urlpatterns = [
    path("projects/<project_ref:ref>/logs/", views.explorer, name="logs"),
    path("projects/<project_ref:ref>/logs/event/", views.event, name="logs-event"),
    path("projects/<project_ref:ref>/logs/sql/", views.sql_field, name="logs-sql"),
]
