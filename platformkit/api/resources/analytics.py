"""Tag "Analytics": the project's logs (``logs.all``, BigQuery-style SQL over a window of at
most 24 hours) and its usage counts."""

from __future__ import annotations

from datetime import datetime

from platformkit.api._core import Call
from platformkit.api.types import AnalyticsResult

from ._base import Resource, segment


def _iso(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


class Analytics(Resource):
    def logs(
        self,
        ref: str,
        *,
        sql: str | None = None,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
    ) -> AnalyticsResult:
        """GET .../analytics/endpoints/logs.all: no window is the last minute; no SQL is edge_logs."""
        params = {"sql": sql, "iso_timestamp_start": _iso(start), "iso_timestamp_end": _iso(end)}
        return self._run(
            Call(
                "GET",
                f"/v1/projects/{segment(ref)}/analytics/endpoints/logs.all",
                params=params,
                cast=AnalyticsResult.from_json,
            )
        )

    def api_counts(self, ref: str, *, interval: str | None = None) -> AnalyticsResult:
        """GET .../analytics/endpoints/usage.api-counts (``interval``: 15min ... 7day)."""
        return self._run(
            Call(
                "GET",
                f"/v1/projects/{segment(ref)}/analytics/endpoints/usage.api-counts",
                params={"interval": interval},
                cast=AnalyticsResult.from_json,
            )
        )

    def api_requests_count(self, ref: str) -> AnalyticsResult:
        """GET .../analytics/endpoints/usage.api-requests-count"""
        return self._run(
            Call(
                "GET",
                f"/v1/projects/{segment(ref)}/analytics/endpoints/usage.api-requests-count",
                cast=AnalyticsResult.from_json,
            )
        )
