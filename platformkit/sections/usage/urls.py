from __future__ import annotations

from django.urls import path

from platformkit.sections.usage import views

urlpatterns = [
    path("projects/<project_ref:ref>/usage/", views.index, name="usage"),
]
