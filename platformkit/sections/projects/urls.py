from __future__ import annotations

from django.urls import path

from platformkit.sections.projects import views

urlpatterns = [
    path("", views.project_list, name="projects"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<project_ref:ref>/", views.project_detail, name="project"),
    path("projects/<project_ref:ref>/banner/", views.target_banner, name="project-banner"),
    path("projects/<project_ref:ref>/pause/", views.pause, name="project-pause"),
    path("projects/<project_ref:ref>/resume/", views.resume, name="project-resume"),
    path("projects/<project_ref:ref>/delete/", views.delete, name="project-delete"),
    path("projects/<project_ref:ref>/password/reveal/", views.reveal_password, name="project-reveal-password"),
    path("operations/<int:pk>/", views.operation_detail, name="operation"),
    path("projects/<project_ref:ref>/operations/<int:pk>/dismiss/", views.dismiss_operation, name="operation-dismiss"),
]
