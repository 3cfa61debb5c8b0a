"""Advisors: the security and performance report per project or branch, scheduled scans,
dismissals, the projects list's badges and the security gate before a merge."""

from platformkit.core.sections import Section

SECTION = Section(
    key="advisors",
    label="Advisors",
    url_name="platformkit:advisors",
    actions=("advisors.run", "advisors.dismiss"),
    hooks={
        "merge_checks": ("platformkit.sections.advisors.services.security_gate",),
        "project_badges": ("platformkit.sections.advisors.services.badges",),
    },
    ready="platformkit.sections.advisors.tasks.connect",
)
