"""The base of the typed results. Field names are the OpenAPI document's; each object also
keeps the whole JSON (``raw``) and whatever fields this version does not know yet (``extra``),
since the API grows. One module per resource holds its types; ``platformkit.api.types``
re-exports them all."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Self, TypeAlias


@dataclass(frozen=True)
class APIObject:
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # Nested fields built as another APIObject type (or a list of them).
    nested: ClassVar[dict[str, type[APIObject]]] = {}
    # Nested list fields kept as tuples instead (a missing or null one is the empty tuple).
    tuple_fields: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """The one constructor from JSON: known fields by name, nested ones built, the rest in ``extra``."""
        known = {f.name for f in fields(cls)} - {"raw", "extra"}
        values: dict[str, Any] = {}
        for name in known & data.keys():
            value = data[name]
            kind = cls.nested.get(name)
            if kind is not None and name in cls.tuple_fields:
                value = tuple(kind.from_json(item) for item in value or ())
            elif kind is not None and isinstance(value, dict):
                value = kind.from_json(value)
            elif kind is not None and isinstance(value, list):
                value = [kind.from_json(item) for item in value]
            values[name] = value
        extra = {key: value for key, value in data.items() if key not in known}
        return cls(raw=data, extra=extra, **values)

    @classmethod
    def list_from_json(cls, data: list[dict[str, Any]]) -> list[Self]:
        return [cls.from_json(item) for item in data]


# What a subclass's ``nested`` maps field names to (a name a field called ``type`` cannot shadow).
Nested: TypeAlias = dict[str, type[APIObject]]


@dataclass(frozen=True)
class RateLimitState:
    """What the last response's rate-limit headers said (when it sent any)."""

    limit: int | None
    remaining: int | None
    reset_seconds: float | None
