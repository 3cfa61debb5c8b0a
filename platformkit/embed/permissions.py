"""An embed's permission set: which sections it shows, read or write in each, and actions it
may never take. Checked when the grant is minted, so a typo fails at the host, not in the frame.

    {"sections": {"sql": "read", "migrations": "write", "restore_points": "read"},
     "deny": ["restore_points.pitr", "branches.delete"]}

The project overview is always visible; a section not listed is hidden (404).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from platformkit.conf import SECTIONS
from platformkit.core import sections

MODES = ("read", "write")
# Actions a view can name in ``project_view(..., action=...)`` so a permission set can forbid them:
# each section declares its own (``Section.actions``).
ACTIONS = sections.actions()


class PermissionError(ValueError):
    """The permission set is malformed (said to the host that minted it)."""


def normalize(permissions: Mapping[str, Any] | None) -> dict[str, Any]:
    permissions = dict(permissions or {})
    unknown_keys = set(permissions) - {"sections", "deny"}
    if unknown_keys:
        raise PermissionError(f"unknown permission keys: {', '.join(sorted(unknown_keys))} (use 'sections' and 'deny')")
    sections = permissions.get("sections", {})
    if not isinstance(sections, Mapping):
        raise PermissionError("'sections' must map section names to 'read' or 'write'")
    clean: dict[str, str] = {}
    for name, mode in sections.items():
        if name not in SECTIONS or name == "projects":
            raise PermissionError(
                f"unknown section {name!r}; sections are {', '.join(s for s in SECTIONS if s != 'projects')}"
            )
        if mode not in MODES:
            raise PermissionError(f"section {name!r}: mode must be 'read' or 'write', not {mode!r}")
        clean[name] = mode
    deny = permissions.get("deny", [])
    if not isinstance(deny, list | tuple) or any(action not in ACTIONS for action in deny):
        raise PermissionError(f"'deny' must list actions among: {', '.join(sorted(ACTIONS))}")
    return {"sections": clean, "deny": sorted(set(deny))}
