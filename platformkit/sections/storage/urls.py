from __future__ import annotations

from django.urls import path

from platformkit.sections.storage import views

urlpatterns = [
    path("projects/<project_ref:ref>/storage/", views.index, name="storage"),
]
