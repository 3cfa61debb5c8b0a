"""Restore points: the timeline, a point by hand or after each schema change, undo to a point,
point-in-time recovery; the outcome of each recovery goes to the audit trail."""

from platformkit.core.sections import Section

_RECORD = ("platformkit.sections.restore_points.services.record_outcome",)

SECTION = Section(
    key="restore_points",
    label="Restore points",
    url_name="platformkit:restore-points",
    actions=("restore_points.undo", "restore_points.pitr"),
    operation_titles={
        "restore_points.create": "Restore point",
        "restore_points.undo": "Undo to a restore point",
        "restore_points.pitr": "Point-in-time recovery",
    },
    finish_hooks={
        "restore_points.undo": _RECORD,
        "restore_points.pitr": _RECORD,
        "restore_points.create": ("platformkit.sections.restore_points.services.after_point_taken",),
    },
    hooks={
        "after_change": ("platformkit.sections.restore_points.services.on_schema_change",),
        "before_destructive": ("platformkit.sections.restore_points.services.restore_point_before",),
    },
)
