"""Branches: create (with data and secrets), the merge review and its checks, merge, reset,
delete (now or scheduled, undoable), each workflow followed to its end."""

from platformkit.core.sections import OperationKind, Section

SECTION = Section(
    key="branches",
    label="Branches",
    url_name="platformkit:branches",
    actions=("branches.delete", "branches.merge", "branches.reset"),
    operation_titles={
        "branch.create": OperationKind(
            "Create branch {branch}",
            "Branch {branch} is ready.",
            "branches",
            link_label="Open branch {branch}",
            link_branch="branch_ref",
        ),
        "branch.merge": OperationKind(
            "Merge branch {branch} into production",
            "Branch {branch} is merged into production.",
            "branches",
            link_label="Open the branches",
        ),
        "branch.reset": OperationKind(
            "Reset branch {branch}",
            "Branch {branch} is reset.",
            "branches",
            link_label="Open branch {branch}",
            link_branch="branch_ref",
        ),
    },
)
