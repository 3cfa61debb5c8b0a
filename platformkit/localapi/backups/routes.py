"""Routes of the OpenAPI "Database" backups operations: restore points, undo, PITR, the list."""

from __future__ import annotations

from django.urls import path

from platformkit.localapi.views import body, endpoint, query

urlpatterns = [
    path(
        "v1/projects/<str:ref>/database/backups",
        endpoint(
            get=lambda api, request, ref: (200, api.backups.backups(ref, api.projects.get(ref)["region"])),
        ),
    ),
    path(
        "v1/projects/<str:ref>/database/backups/restore-point",
        endpoint(
            get=lambda api, request, ref: (200, api.backups.get_restore_point(ref, query(request))),
            post=lambda api, request, ref: (201, api.backups.create_restore_point(ref, body(request))),
        ),
    ),
    # 201 with no body, as documented; what was reverted is kept in ``backups.reports(ref)``.
    path(
        "v1/projects/<str:ref>/database/backups/undo",
        endpoint(
            post=lambda api, request, ref: (201, api.backups.undo(ref, body(request)) and None),
        ),
    ),
    # A local extension (the real API keeps no such report): what each undo or PITR did, newest
    # first, including one a stop cut short ("interrupted", with the data it left).
    path(
        "local/v1/projects/<str:ref>/database/backups/reports",
        endpoint(get=lambda api, request, ref: (200, api.backups.report_list(ref))),
    ),
    path(
        "v1/projects/<str:ref>/database/backups/restore-pitr",
        endpoint(
            post=lambda api, request, ref: (201, api.backups.restore_pitr(ref, body(request)) and None),
        ),
    ),
]
