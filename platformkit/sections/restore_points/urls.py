from __future__ import annotations

from django.urls import path

from platformkit.sections.restore_points import views

urlpatterns = [
    path("projects/<project_ref:ref>/restore-points/", views.timeline, name="restore-points"),
    path("projects/<project_ref:ref>/restore-points/new/", views.create, name="restore-point-create"),
    path("projects/<project_ref:ref>/restore-points/<int:point_id>/undo/", views.undo, name="restore-point-undo"),
    path("projects/<project_ref:ref>/restore-points/pitr/", views.pitr, name="restore-points-pitr"),
]
