from __future__ import annotations

from django.urls import path

from platformkit.sections.database import views

urlpatterns = [
    path("projects/<project_ref:ref>/database/", views.index, name="database"),
    path("projects/<project_ref:ref>/database/table/", views.table, name="database-table"),
    path("projects/<project_ref:ref>/database/table/export/", views.export, name="database-export"),
    path("projects/<project_ref:ref>/database/row/", views.row, name="database-row"),
    path("projects/<project_ref:ref>/database/row/references/", views.references, name="database-references"),
    path("projects/<project_ref:ref>/database/row/save/", views.save, name="database-row-save"),
    path("projects/<project_ref:ref>/database/row/delete/", views.delete, name="database-row-delete"),
    path("projects/<project_ref:ref>/database/diagram/", views.diagram, name="database-diagram"),
]
