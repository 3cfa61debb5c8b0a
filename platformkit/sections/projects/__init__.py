"""Projects: the list, launching one, its overview, pause/restore/delete, the password reveal,
and the operation pages every long action ends on."""

from platformkit.core.sections import OperationKind, Section

SECTION = Section(
    key="projects",
    label="Projects",
    url_name="platformkit:projects",
    per_project=False,
    actions=("projects.pause", "projects.delete"),
    operation_titles={
        "project.create": OperationKind(
            "Launch project {name}", "Project {name} is up and healthy.", "project", link_label="Open the project"
        ),
        "project.pause": OperationKind(
            "Pause the project", "The project is paused.", "project", link_label="Open the project"
        ),
        "project.restore": OperationKind(
            "Restore the paused project",
            "The project is up and healthy again.",
            "project",
            link_label="Open the project",
        ),
    },
)
