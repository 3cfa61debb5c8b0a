"""Tag "Analytics": the project's logs and its usage counts.

``logs`` is ``v1-get-project-logs``: ClickHouse SQL over the unified ``logs`` table (pick a
source with ``where source = 'edge_logs'``, read fields as ``log_attributes['request.path']``).
``logs_all`` is the deprecated ``logs.all`` (BigQuery-style SQL, one table per source), kept for
servers that still have it. Both take a window of at most 24 hours, and neither is sent again
after a timeout: a log query that ran out of time would only run again, as long, while the page
waits."""

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
        """GET .../analytics/endpoints/logs (ClickHouse SQL): no window is the last minute; no
        SQL is edge_logs. Refused SQL raises :class:`~platformkit.api.errors.ValidationError`
        with the API's message."""
        return self._query(ref, "logs", sql, start, end)

    def logs_all(
        self,
        ref: str,
        *,
        sql: str | None = None,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
    ) -> AnalyticsResult:
        """GET .../analytics/endpoints/logs.all (deprecated; BigQuery-style SQL): refused SQL
        comes back in the result's ``error``."""
        return self._query(ref, "logs.all", sql, start, end)

    def _query(
        self, ref: str, endpoint: str, sql: str | None, start: datetime | str | None, end: datetime | str | None
    ) -> AnalyticsResult:
        params = {"sql": sql, "iso_timestamp_start": _iso(start), "iso_timestamp_end": _iso(end)}
        return self._run(
            Call(
                "GET",
                f"/v1/projects/{segment(ref)}/analytics/endpoints/{endpoint}",
                params=params,
                cast=AnalyticsResult.from_json,
                retry_timeouts=False,
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
                retry_timeouts=False,
            )
        )

    def api_requests_count(self, ref: str) -> AnalyticsResult:
        """GET .../analytics/endpoints/usage.api-requests-count"""
        return self._run(
            Call(
                "GET",
                f"/v1/projects/{segment(ref)}/analytics/endpoints/usage.api-requests-count",
                cast=AnalyticsResult.from_json,
                retry_timeouts=False,
            )
        )
