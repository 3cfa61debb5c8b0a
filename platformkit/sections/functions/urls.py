from __future__ import annotations

from django.urls import path

from platformkit.sections.functions import views

urlpatterns = [
    path("projects/<project_ref:ref>/functions/", views.function_list, name="functions"),
    path("projects/<project_ref:ref>/functions/deploy/", views.deploy, name="functions-deploy"),
    path("projects/<project_ref:ref>/functions/<slug:slug>/", views.detail, name="function"),
    path("projects/<project_ref:ref>/functions/<slug:slug>/settings/", views.settings, name="function-settings"),
    path("projects/<project_ref:ref>/functions/<slug:slug>/delete/", views.delete, name="function-delete"),
    path("projects/<project_ref:ref>/functions/<slug:slug>/invoke/", views.invoke, name="function-invoke"),
]
