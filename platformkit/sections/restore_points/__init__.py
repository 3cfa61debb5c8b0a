"""Restore points: the timeline, a point by hand or after each schema change, undo to a point,
point-in-time recovery; the outcome of each recovery goes to the audit trail."""

from platformkit.core.sections import OperationKind, Section

_RECORD = ("platformkit.sections.restore_points.services.record_outcome",)

SECTION = Section(
    key="restore_points",
    label="Restore points",
    url_name="platformkit:restore-points",
    actions=("restore_points.undo", "restore_points.pitr"),
    operation_titles={
        "restore_points.create": OperationKind(
            "Take restore point {name} on {target}",
            "Restore point {name} is available.",
            "restore-points",
            link_label="Open the restore points",
        ),
        "restore_points.undo": OperationKind(
            "Undo {target} to restore point {name}",
            "Undone: {target} is back at restore point {name}, and healthy.",
            "restore-points",
            link_label="Open the restore points",
        ),
        "restore_points.pitr": OperationKind(
            "Recover production to {at}",
            "Production is back at {at}, and healthy.",
            "restore-points",
            link_label="Open the restore points",
        ),
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
