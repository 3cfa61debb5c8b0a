"""``GET .../analytics/endpoints/logs.all`` and the usage endpoints, over the project's own
activity: the local API's requests about it (``edge_logs``), the SQL it runs on its database
(``postgres_logs``), and whatever else records events (function invocations, auth events)
through :meth:`Logs.record`.

The real API's rules: at most 24 hours per call, only the last minute when no range is given,
only ``edge_logs`` when no SQL is given, at most 1000 rows, ``timestamp`` in microseconds, and
bad SQL answered as ``{"result": [], "error": {...}}`` (BigQuery's error shape)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from platformkit.localapi.errors import require

from .dialect import LogQueryError, compile_query
from .store import LogEvents, utc_now

logger = logging.getLogger("platformkit.localapi.logs")
MAX_RANGE = timedelta(hours=24)
SLOW_STATEMENT_MS = 100.0  # log_min_duration_statement of the local API's sessions
DEFAULT_RANGE = timedelta(minutes=1)
DEFAULT_SQL = "select id, timestamp, event_message, metadata from edge_logs order by timestamp desc limit 100"
INTERVALS = {
    "15min": timedelta(minutes=15),
    "30min": timedelta(minutes=30),
    "1hr": timedelta(hours=1),
    "3hr": timedelta(hours=3),
    "1day": timedelta(days=1),
    "3day": timedelta(days=3),
    "7day": timedelta(days=7),
}


def error_form(message: str, *, reason: str = "invalidQuery") -> dict[str, Any]:
    return {
        "result": [],
        "error": {
            "code": 400,
            "message": message,
            "status": "INVALID_ARGUMENT",
            "errors": [
                {"domain": "global", "location": "q", "locationType": "parameter", "message": message, "reason": reason}
            ],
        },
    }


def _instant(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise LogQueryError(f"{name} must be an ISO 8601 timestamp, e.g. 2025-03-23T00:00:00Z") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def window(params: Mapping[str, str], now: datetime) -> tuple[datetime, datetime]:
    start_text, end_text = params.get("iso_timestamp_start", ""), params.get("iso_timestamp_end", "")
    end = _instant(end_text, "iso_timestamp_end") if end_text else now
    start = _instant(start_text, "iso_timestamp_start") if start_text else end - DEFAULT_RANGE
    if start >= end:
        raise LogQueryError("iso_timestamp_start must be before iso_timestamp_end")
    if end - start > MAX_RANGE:
        raise LogQueryError(
            f"The time range may be at most 24 hours per call (asked for {end - start}); split it into several calls"
        )
    # Bounds go out to whole minutes, as the hosted endpoint rounds them.
    start = start.replace(second=0, microsecond=0)
    if end.second or end.microsecond:
        end = end.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return start, end


class Logs:
    def __init__(self, control_url: str) -> None:
        self.events = LogEvents(control_url)

    def record(
        self, ref: str, source: str, event_message: str, metadata: Mapping[str, Any] | None = None, **options: Any
    ) -> None:
        self.events.record(ref, source, event_message, metadata, **options)

    def query(self, ref: str, params: Mapping[str, str]) -> dict[str, Any]:
        sql = params.get("sql") or DEFAULT_SQL
        try:
            start, end = window(params, utc_now())
            compiled, sources = compile_query(sql)
            return {"result": self.events.run(ref, compiled, sources, start, end)}
        except LogQueryError as exc:
            return error_form(str(exc))
        except Exception as exc:  # DuckDB's binder and runtime errors: the caller's SQL, said plainly
            import duckdb

            if isinstance(exc, duckdb.Error):
                return error_form(_duck_message(exc))
            raise

    def api_counts(self, ref: str, params: Mapping[str, str]) -> dict[str, Any]:
        interval = params.get("interval") or "1day"
        require(interval in INTERVALS, f"interval must be one of {', '.join(INTERVALS)}")
        span = INTERVALS[interval]
        bucket = "minute" if span <= timedelta(hours=3) else "hour"
        end = utc_now()
        sql = (
            f"select timestamp_trunc(timestamp, {bucket}) as timestamp,"
            " countif(starts_with(request.path, '/auth/')) as total_auth_requests,"
            " countif(starts_with(request.path, '/realtime/')) as total_realtime_requests,"
            " countif(starts_with(request.path, '/rest/')) as total_rest_requests,"
            " countif(starts_with(request.path, '/storage/')) as total_storage_requests"
            " from edge_logs cross join unnest(metadata) as m cross join unnest(m.request) as request"
            " group by 1 order by 1"
        )
        rows: list[dict[str, Any]] = []
        cursor = end - span
        while cursor < end:  # ≤ 24 hours per run, as logs.all itself
            chunk_end = min(cursor + MAX_RANGE, end)
            compiled, sources = compile_query(sql)
            rows += self.events.run(ref, compiled, sources, cursor, chunk_end)
            cursor = chunk_end
        for row in rows:
            row["timestamp"] = (
                datetime.fromtimestamp(row["timestamp"] / 1_000_000, UTC).isoformat().replace("+00:00", "Z")
            )
        return {"result": rows}

    def requests_count(self, ref: str) -> dict[str, Any]:
        end = utc_now()
        compiled, sources = compile_query("select count(*) as count from edge_logs")
        return {"result": self.events.run(ref, compiled, sources, end - MAX_RANGE, end)}

    def forget(self, ref: str) -> None:
        self.events.forget(ref)

    # What the local API itself records

    def statement(self, ref: str, query: str, error: Any, duration_ms: float) -> None:
        """A statement run on the project's database: ``LOG`` as with ``log_statement = 'all'``,
        or the ``ERROR`` PostgreSQL reported, with its SQLSTATE, detail and hint."""
        command = (query.strip().split(None, 1) or [""])[0].upper()[:32]
        parsed: dict[str, Any] = {
            "user_name": f"postgres.{ref}",
            "database_name": f"project_{ref}",
            "application_name": "platformkit local Management API",
            "backend_type": "client backend",
            "command_tag": command,
            "query": query[:10_000],
            "error_severity": "LOG",
            "sql_state_code": "00000",
        }
        message = f"statement: {query}"
        if error is not None:
            diag = error.diag
            parsed.update(
                error_severity=diag.severity or "ERROR",
                sql_state_code=diag.sqlstate or "XX000",
                detail=diag.message_detail,
                hint=diag.message_hint,
            )
            message = diag.message_primary or str(error).strip()
        self._safely(ref, "postgres_logs", message, {"host": "db-" + ref, "parsed": parsed}, identifier=ref)
        if error is None and duration_ms >= SLOW_STATEMENT_MS:  # as log_min_duration_statement reports it
            self._safely(
                ref,
                "postgres_logs",
                f"duration: {duration_ms:.3f} ms  statement: {query}",
                {"host": "db-" + ref, "parsed": parsed},
                identifier=ref,
            )

    def request(
        self,
        ref: str,
        *,
        method: str,
        path: str,
        search: str,
        host: str,
        headers: Mapping[str, str],
        remote_addr: str,
        status: int,
        duration_ms: float,
        request_id: str,
        content_type: str,
    ) -> None:
        """One HTTP request about the project, as the API gateway logs it."""
        self._safely(
            ref,
            "edge_logs",
            f"{method} | {status} | {remote_addr} | {request_id} | {host}{path}{search}"
            f" | {headers.get('User-Agent', '')}",
            {
                "request": {
                    "method": method,
                    "path": path,
                    "search": search,
                    "url": f"http://{host}{path}{search}",
                    "host": host,
                    "protocol": "http:",
                    "headers": {
                        "host": host,
                        "user_agent": headers.get("User-Agent"),
                        "x_client_info": headers.get("X-Client-Info"),
                        "x_real_ip": remote_addr,
                        "referer": headers.get("Referer"),
                        "content_type": headers.get("Content-Type"),
                    },
                },
                "response": {
                    "status_code": status,
                    "origin_time": round(duration_ms),
                    "headers": {"content_type": content_type, "x_request_id": request_id},
                },
            },
            identifier=ref,
        )

    def _safely(self, ref: str, source: str, message: str, metadata: Mapping[str, Any], **options: Any) -> None:
        try:
            self.record(ref, source, message, metadata, **options)
        except Exception:  # logging must never break the request it describes
            logger.exception("recording a %s event for %s failed", source, ref)


def _duck_message(exc: Exception) -> str:
    text = str(exc).strip()
    for prefix in (
        "Binder Error: ",
        "Parser Error: ",
        "Conversion Error: ",
        "Invalid Input Error: ",
        "Catalog Error: ",
    ):
        if text.startswith(prefix):
            return text[len(prefix) :].split("\n")[0]
    return text.split("\n")[0]
