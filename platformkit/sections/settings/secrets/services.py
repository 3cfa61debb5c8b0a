"""Reading secrets pasted in bulk: a ``.env`` file or JSON (an object, or the API's array)."""

from __future__ import annotations

import json
import re

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SecretInputError(ValueError):
    pass


def parse(text: str) -> dict[str, str]:
    """Names to values, in order; refuses what the API would (``SUPABASE_`` names, bad names)."""
    text = text.strip()
    if not text:
        raise SecretInputError("Paste at least one secret: NAME=value lines, or JSON.")
    pairs = _json(text) if text[0] in "[{" else _dotenv(text)
    for name in pairs:
        if not NAME.match(name) or len(name) > 256:
            raise SecretInputError(
                f"{name!r} is not a valid secret name (letters, digits and _; not starting with a digit)."
            )
        if name.startswith("SUPABASE_"):
            raise SecretInputError(
                f"{name}: names starting with SUPABASE_ are reserved by Supabase and refused by the API."
            )
    return pairs


def _json(text: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SecretInputError(f"That is not valid JSON: {exc}.") from None
    items = (
        data.items()
        if isinstance(data, dict)
        else [(i.get("name"), i.get("value")) for i in data if isinstance(i, dict)]
        if isinstance(data, list)
        else []
    )
    pairs = {str(name): value for name, value in items}
    if not pairs or not all(isinstance(value, str) for value in pairs.values()):
        raise SecretInputError(
            'JSON must be {"NAME": "value", ...} or [{"name": ..., "value": ...}] with string values.'
        )
    return pairs


def _dotenv(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        if not sep:
            raise SecretInputError(f"Line {number} has no '=': write NAME=value.")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        pairs[name.strip()] = value
    return pairs
