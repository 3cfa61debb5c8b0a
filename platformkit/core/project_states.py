"""A project that is not simply up: paused, or on its way somewhere (restoring, resizing, ...).

Pages say so in words instead of showing what it causes (a refused connection, services red
"unhealthy" while a resize restarts them): the banner names the state on every project page,
and the overview shows it in place of the health report's alarm colours.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProjectState:
    key: str  # "paused", "restoring", ...: data-project-state, and the CSS modifier
    label: str  # in the banner's badge
    message: str
    passing: bool  # True: it ends on its own (restoring, resizing); False: until someone acts


# status, key, label, passing, message
_STATES = (
    ("INACTIVE", "paused", "paused", False,
     "The project is paused: its database refuses connections until it is restored from the Overview."),
    ("PAUSING", "pausing", "pausing", True, "The project is pausing: its database is stopping."),
    ("RESTORING", "restoring", "restoring", True,
     "The database is being restored: it refuses connections until it is back, then services report healthy."),
    ("COMING_UP", "coming_up", "starting", True, "The project is starting: services report healthy once they are up."),
    ("RESIZING", "resizing", "resizing", True,
     "The project is resizing: the database restarts on its new size and services come back on their own."),
    ("RESTARTING", "restarting", "restarting", True, "The project is restarting: services come back on their own."),
    ("UPGRADING", "upgrading", "upgrading", True, "The project is upgrading: services come back on their own."),
    ("GOING_DOWN", "going_down", "shutting down", True, "The project is shutting down."),
    ("RESTORE_FAILED", "restore_failed", "restore failed", False, "The last restore of this project failed."),
    ("PAUSE_FAILED", "pause_failed", "pause failed", False, "Pausing this project failed."),
)  # fmt: skip
STATES = {status: ProjectState(key, label, message, passing) for status, key, label, passing, message in _STATES}


def project_state(status: str | None) -> ProjectState | None:
    """None for a project that is up (or whose status is not known)."""
    return STATES.get((status or "").upper())
