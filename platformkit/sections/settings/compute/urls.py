from __future__ import annotations

from django.urls import path

from platformkit.sections.settings.compute import views

urlpatterns = [
    path("projects/<project_ref:ref>/settings/compute/", views.compute_page, name="compute"),
    path("projects/<project_ref:ref>/settings/compute/review/", views.review, name="compute-review"),
    path("projects/<project_ref:ref>/settings/compute/change/", views.change, name="compute-change"),
    path("projects/<project_ref:ref>/settings/compute/pitr/", views.pitr, name="compute-pitr"),
]
