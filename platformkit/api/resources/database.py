"""Tag "Database": running SQL and the migration history."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from platformkit.api import _transport
from platformkit.api._core import Call
from platformkit.api.rowstream import RowStream
from platformkit.api.types import Migration, PoolerConfig

from ._base import Resource, segment


def _rows(data: Any) -> list[dict[str, Any]]:
    # The document gives no schema for the 201; the API answers with the rows as objects.
    return list(data) if isinstance(data, list) else []


def _query_body(query: str, parameters: Sequence[Any] | None, read_only: bool | None) -> dict[str, Any]:
    body: dict[str, Any] = {"query": query}
    if parameters is not None:
        body["parameters"] = list(parameters)
    if read_only is not None:
        body["read_only"] = read_only
    return body


class Database(Resource):
    def query(
        self, ref: str, query: str, *, parameters: Sequence[Any] | None = None, read_only: bool | None = None
    ) -> list[dict[str, Any]]:
        """POST /v1/projects/{ref}/database/query (201): the rows, each an object by column name.

        Never replayed: a statement that may have run is not run again."""
        body = _query_body(query, parameters, read_only)
        return self._run(Call("POST", f"/v1/projects/{segment(ref)}/database/query", json=body, cast=_rows))

    def query_stream(
        self,
        ref: str,
        query: str,
        *,
        parameters: Sequence[Any] | None = None,
        read_only: bool | None = None,
        timeout: float | None = None,
    ) -> RowStream:
        """:meth:`query` with its rows read as they arrive (:class:`RowStream`), for results too
        big to hold: an error status is raised here, before any row; ``timeout`` is the longest
        wait for the answer's next bytes (the first come once the query has run). Sync client only."""
        if inspect.iscoroutinefunction(self._client._request):
            raise TypeError("query_stream reads with the sync client only")
        body = _query_body(query, parameters, read_only)
        call: Call[_transport.Response] = Call(
            "POST", f"/v1/projects/{segment(ref)}/database/query", json=body, stream=True, timeout=timeout
        )
        return RowStream(self._run(call), call)

    def query_read_only(self, ref: str, query: str, *, parameters: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """POST /v1/projects/{ref}/database/query/read-only (201), run as a read-only role."""
        body: dict[str, Any] = {"query": query, **({"parameters": list(parameters)} if parameters is not None else {})}
        return self._run(Call("POST", f"/v1/projects/{segment(ref)}/database/query/read-only", json=body, cast=_rows))

    def list_migrations(self, ref: str) -> list[Migration]:
        """GET /v1/projects/{ref}/database/migrations: version and name, oldest first."""
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/database/migrations", cast=Migration.list_from_json))

    def get_migration(self, ref: str, version: str) -> Migration:
        """GET /v1/projects/{ref}/database/migrations/{version}: with its statements and rollback."""
        return self._run(
            Call("GET", f"/v1/projects/{segment(ref)}/database/migrations/{segment(version)}", cast=Migration.from_json)
        )

    def apply_migration(
        self,
        ref: str,
        *,
        query: str,
        name: str | None = None,
        rollback: str | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        """POST /v1/projects/{ref}/database/migrations (200, no body).

        Sends an ``Idempotency-Key`` (``idempotency_key``, else one per call; the same on every
        retry), so a retried request can never apply the migration twice."""
        body = {"query": query, **({"name": name} if name else {}), **({"rollback": rollback} if rollback else {})}
        return self._run(
            Call[None](
                "POST",
                f"/v1/projects/{segment(ref)}/database/migrations",
                json=body,
                idempotency_key=idempotency_key or True,
            )
        )

    def rollback_migrations(self, ref: str, *, gte: str) -> None:
        """DELETE /v1/projects/{ref}/database/migrations?gte=<version>: run the recorded
        rollbacks of every migration from ``gte`` on, newest first, and forget them."""
        return self._run(Call[None]("DELETE", f"/v1/projects/{segment(ref)}/database/migrations", params={"gte": gte}))

    # Connection details and generated types (same tag, separate from the SQL calls above).

    def typescript_types(self, ref: str, *, included_schemas: str | None = None) -> str:
        """GET /v1/projects/{ref}/types/typescript (``v1-generate-typescript-types``): the
        ``types`` text of ``TypescriptResponse`` (schemas: the API's default, ``public``)."""
        params = {"included_schemas": included_schemas} if included_schemas else None
        return self._run(Call("GET", f"/v1/projects/{segment(ref)}/types/typescript", params=params, cast=_typescript))

    def pooler_config(self, ref: str) -> list[PoolerConfig]:
        """GET /v1/projects/{ref}/config/database/pooler (``v1-get-pooler-config``)."""
        return self._run(
            Call("GET", f"/v1/projects/{segment(ref)}/config/database/pooler", cast=PoolerConfig.list_from_json)
        )


def _typescript(data: Any) -> str:
    return str(data.get("types", "")) if isinstance(data, dict) else ""
