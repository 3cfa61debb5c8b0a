from __future__ import annotations

from django.urls import path

from platformkit.sections.settings.secrets import views

urlpatterns = [
    path("projects/<project_ref:ref>/settings/secrets/", views.secrets, name="secrets"),
    path("projects/<project_ref:ref>/settings/secrets/add/", views.add, name="secrets-add"),
    path("projects/<project_ref:ref>/settings/secrets/delete/", views.delete, name="secrets-delete"),
]
