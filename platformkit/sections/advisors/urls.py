from __future__ import annotations

from django.urls import path

from platformkit.sections.advisors import views

urlpatterns = [
    path("projects/<project_ref:ref>/advisors/", views.report, name="advisors"),
    path("projects/<project_ref:ref>/advisors/run/", views.run, name="advisors-run"),
    path("projects/<project_ref:ref>/advisors/dismiss/", views.dismiss, name="advisors-dismiss"),
    path("projects/<project_ref:ref>/advisors/restore/", views.restore, name="advisors-restore"),
]
