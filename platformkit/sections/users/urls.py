from __future__ import annotations

from django.urls import path

from platformkit.sections.users import views

urlpatterns = [
    path("projects/<project_ref:ref>/users/", views.index, name="users"),
    path("projects/<project_ref:ref>/users/<str:user_id>/", views.detail, name="users-detail"),
]
