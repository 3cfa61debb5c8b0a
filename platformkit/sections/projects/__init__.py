"""Projects: the list, launching one, its overview, pause/restore/delete, the password reveal,
and the operation pages every long action ends on."""

from platformkit.core.sections import Section

SECTION = Section(
    key="projects",
    label="Projects",
    url_name="platformkit:projects",
    per_project=False,
    actions=("projects.pause", "projects.delete"),
    operation_titles={
        "project.create": "Project launch",
        "project.pause": "Pausing the project",
        "project.restore": "Restoring the project",
    },
)
