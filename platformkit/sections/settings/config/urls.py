from __future__ import annotations

from django.urls import path

from platformkit.sections.settings.config import views

urlpatterns = [
    path("projects/<project_ref:ref>/settings/config/<slug:service>/", views.config, name="config"),
    path("projects/<project_ref:ref>/settings/config/<slug:service>/review/", views.review, name="config-review"),
    path("projects/<project_ref:ref>/settings/config/<slug:service>/apply/", views.apply, name="config-apply"),
]
