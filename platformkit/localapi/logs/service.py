"""``GET .../analytics/endpoints/logs`` (ClickHouse SQL over the unified ``logs`` table),
``logs.all`` (its deprecated BigQuery-style alias) and the usage endpoints, over the project's
own activity: the local API's requests about it (``edge_logs``), the SQL it runs on its
database (``postgres_logs``), function invocations and their console (``function_edge_logs``,
``function_logs``), and whatever else records events through :meth:`Logs.record`. Both
endpoints read the same store (``store.LogStore``), where the events are written.

The real API's rules: at most 24 hours per call, only the last minute when no range is given,
only ``edge_logs`` when no SQL is given, at most 1000 rows. ``logs`` answers ``timestamp`` as
ClickHouse prints a DateTime64 (``2026-01-01 12:00:00.123456``) and refuses bad SQL with a 400
``{"result": [], "error": {...}, "message": ...}``; ``logs.all`` answers ``timestamp`` in
microseconds and bad SQL as a 200 ``{"result": [], "error": {...}}`` (BigQuery's error shape)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from platformkit.localapi.errors import require

from . import bigquery, clickhouse
from .dialect import LogQueryError
from .store import LogStore, event, jsonable, utc_now

logger = logging.getLogger("platformkit.localapi.logs")
MAX_RANGE = timedelta(hours=24)
SLOW_STATEMENT_MS = 100.0  # log_min_duration_statement of the local API's sessions
DEFAULT_RANGE = timedelta(minutes=1)
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


def micros(value: Any) -> Any:
    """``logs.all``'s values: BigQuery's TIMESTAMP as microseconds since the epoch."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(moment.timestamp()) * 1_000_000 + moment.microsecond
    if isinstance(value, (list, tuple)):
        return [micros(item) for item in value]
    if isinstance(value, dict):
        return {key: micros(item) for key, item in value.items()}
    return jsonable(value)


class Logs:
    def __init__(self, directory: Path) -> None:
        self.events = LogStore.shared(directory)

    def record(
        self, ref: str, source: str, event_message: str, metadata: Mapping[str, Any] | None = None, **options: Any
    ) -> None:
        self.events.record(ref, event(source, event_message, metadata, **options))

    def query(self, ref: str, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """``GET .../analytics/endpoints/logs``: ClickHouse SQL; bad SQL or window is a 400."""
        answer = self._run(ref, params, clickhouse.DEFAULT_SQL, clickhouse.compile_query, jsonable)
        if "error" in answer:
            return 400, {**answer, "message": answer["error"]["message"]}
        return 200, answer

    def query_all(self, ref: str, params: Mapping[str, str]) -> dict[str, Any]:
        """``GET .../analytics/endpoints/logs.all`` (deprecated): BigQuery-style SQL, errors in a 200."""
        return self._run(ref, params, bigquery.DEFAULT_SQL, bigquery.compile_query, micros)

    def _run(
        self,
        ref: str,
        params: Mapping[str, str],
        default_sql: str,
        compile_query: Callable[[str, datetime, datetime], str],
        convert: Callable[[Any], Any],
    ) -> dict[str, Any]:
        sql = params.get("sql") or default_sql
        try:
            start, end = window(params, utc_now())
            compiled = compile_query(sql, start, end)
            return {"result": self.events.query(ref, compiled, convert)}
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
        bucket = "Minute" if span <= timedelta(hours=3) else "Hour"
        end = utc_now()
        sql = (
            f"select toStartOf{bucket}(timestamp) as timestamp,"
            " countIf(startsWith(log_attributes['request.path'], '/auth/')) as total_auth_requests,"
            " countIf(startsWith(log_attributes['request.path'], '/realtime/')) as total_realtime_requests,"
            " countIf(startsWith(log_attributes['request.path'], '/rest/')) as total_rest_requests,"
            " countIf(startsWith(log_attributes['request.path'], '/storage/')) as total_storage_requests"
            " from logs where source = 'edge_logs' group by 1 order by 1"
        )
        compiled = clickhouse.compile_query(sql, end - span, end)  # the store has no 24-hour limit of its own
        rows = self.events.query(ref, compiled, lambda value: value)
        for row in rows:
            row["timestamp"] = row["timestamp"].replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
        return {"result": rows}

    def requests_count(self, ref: str) -> dict[str, Any]:
        end = utc_now()
        compiled = clickhouse.compile_query(
            "select count() as count from logs where source = 'edge_logs'", end - MAX_RANGE, end
        )
        return {"result": self.events.query(ref, compiled, jsonable)}

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
