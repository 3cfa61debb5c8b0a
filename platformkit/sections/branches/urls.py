from __future__ import annotations

from django.urls import path

from platformkit.sections.branches import views

urlpatterns = [
    path("projects/<project_ref:ref>/branches/", views.branch_list, name="branches"),
    path("projects/<project_ref:ref>/branches/create/", views.create, name="branches-create"),
    path("projects/<project_ref:ref>/branches/<project_ref:branch_ref>/merge/", views.merge, name="branches-merge"),
    path("projects/<project_ref:ref>/branches/<project_ref:branch_ref>/reset/", views.reset, name="branches-reset"),
    path("projects/<project_ref:ref>/branches/<project_ref:branch_ref>/delete/", views.delete, name="branches-delete"),
    path(
        "projects/<project_ref:ref>/branches/<project_ref:branch_ref>/restore/", views.restore, name="branches-restore"
    ),
]
