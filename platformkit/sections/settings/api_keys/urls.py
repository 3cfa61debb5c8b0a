from __future__ import annotations

from django.urls import path

from platformkit.sections.settings.api_keys import views

urlpatterns = [
    path("projects/<project_ref:ref>/settings/api-keys/", views.api_keys, name="api-keys"),
    path("projects/<project_ref:ref>/settings/api-keys/enable/", views.enable, name="api-keys-enable"),
    path("projects/<project_ref:ref>/settings/api-keys/<slug:key_id>/reveal/", views.reveal, name="api-key-reveal"),
    path("projects/<project_ref:ref>/settings/api-keys/<slug:key_id>/delete/", views.delete, name="api-key-delete"),
]
