"""Tag "Analytics": logs and usage counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._base import APIObject


@dataclass(frozen=True)
class AnalyticsResult(APIObject):
    """``AnalyticsResponse``: ``result`` rows, or ``error`` (a string, or BigQuery's error
    object with ``message``) when the SQL was refused."""

    result: list[dict[str, Any]] = field(default_factory=list)
    error: Any = None

    @property
    def error_message(self) -> str | None:
        if self.error is None:
            return None
        if isinstance(self.error, dict):
            return str(self.error.get("message") or self.error)
        return str(self.error)
