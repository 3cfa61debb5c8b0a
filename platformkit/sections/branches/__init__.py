"""Branches: create (with data and secrets), the merge review and its checks, merge, reset,
delete (now or scheduled, undoable), each workflow followed to its end."""

from platformkit.core.sections import Section

SECTION = Section(
    key="branches",
    label="Branches",
    url_name="platformkit:branches",
    actions=("branches.delete", "branches.merge", "branches.reset"),
)
