"""An embed's theme: values for the dashboard's ``--pk-*`` CSS custom properties, allow-listed
so a theme can recolour the frame but never inject CSS."""

from __future__ import annotations

import re
from collections.abc import Mapping

from platformkit.embed.permissions import PermissionError

PROPERTIES = frozenset(
    {
        "--pk-font",
        "--pk-bg",
        "--pk-surface",
        "--pk-text",
        "--pk-muted",
        "--pk-border",
        "--pk-accent",
        "--pk-accent-text",
        "--pk-radius",
    }
)
COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
LENGTH = re.compile(r"^\d{1,2}(?:\.\d)?(?:px|rem)$")
FONT = re.compile(r"^[A-Za-z0-9 ,\-]{1,120}$")


def clean_theme(theme: Mapping[str, str] | None) -> dict[str, str]:
    clean: dict[str, str] = {}
    for name, value in (theme or {}).items():
        if name not in PROPERTIES:
            raise PermissionError(f"theme: unknown property {name!r}; allowed: {', '.join(sorted(PROPERTIES))}")
        pattern = FONT if name == "--pk-font" else LENGTH if name == "--pk-radius" else COLOR
        if not isinstance(value, str) or not pattern.match(value):
            wanted = {FONT: "a font list", LENGTH: "a length like 6px"}.get(pattern, "a #hex colour")
            raise PermissionError(f"theme: {name} must be {wanted}")
        clean[name] = value
    return clean
