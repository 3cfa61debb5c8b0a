"""The URLs the Database pages link to: each keeps the branch selection (``?branch=``) and
says everything (schema, table, key, filters, sort, page) in the query string, so a table or
schema name never has to fit a URL path segment."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest

from platformkit.core.rendering import url
from platformkit.core.targets import BRANCH_PARAM, request_target
from platformkit.sections.database.catalog import ForeignKey, Table
from platformkit.sections.database.forms import encode_values
from platformkit.sections.database.statements import Filter, Order


class Links:
    def __init__(self, request: HttpRequest, ref: str) -> None:
        self.request, self.ref = request, ref
        target = request_target(request)
        self.branch: list[tuple[str, str]] = [] if target.is_production else [(BRANCH_PARAM, target.ref)]

    def to(self, name: str, params: list[tuple[str, Any]] | None = None) -> str:
        query = urlencode([(key, str(value)) for key, value in (params or [])] + self.branch)
        return url(self.request, name, self.ref) + (f"?{query}" if query else "")

    def schema(self, schema: str) -> str:
        return self.to("database", [("schema", schema)])

    def diagram(self, schema: str) -> str:
        return self.to("database-diagram", [("schema", schema)])

    @staticmethod
    def _table(schema: str, name: str) -> list[tuple[str, Any]]:
        return [("schema", schema), ("table", name)]

    @staticmethod
    def _view(order: Order, filters: list[Filter]) -> list[tuple[str, Any]]:
        params: list[tuple[str, Any]] = []
        if order.column:
            params += [("sort", order.column), ("dir", "desc" if order.descending else "asc")]
        for wanted in filters:
            params += [("fc", wanted.column), ("fo", wanted.operator), ("fv", wanted.value)]
        return params

    def table(
        self, schema: str, name: str, order: Order | None = None, filters: list[Filter] | None = None, **page: Any
    ) -> str:
        params = self._table(schema, name) + self._view(order or Order(), filters or [])
        params += [(key, encode_values(value)) for key, value in page.items() if value is not None]
        return self.to("database-table", params)

    def sort(self, table: Table, column: str, current: Order, filters: list[Filter]) -> str:
        descending = current.column == column and not current.descending
        return self.table(table.schema, table.name, Order(column, descending), filters)

    def export(self, table: Table, order: Order, filters: list[Filter], format: str = "csv") -> str:
        params = self._table(table.schema, table.name) + self._view(order, filters)
        return self.to("database-export", params + ([("format", format)] if format != "csv" else []))

    def picker(self, table: Table, column: str) -> str:
        """The foreign-key picker's search of the rows ``column`` of ``table`` may reference."""
        return self.to("database-references", self._table(table.schema, table.name) + [("column", column)])

    def row(self, table: Table, key: list[str | None] | None = None) -> str:
        params = self._table(table.schema, table.name) + ([("key", encode_values(key))] if key is not None else [])
        return self.to("database-row", params)

    def save(self, table: Table, key: list[str | None] | None = None) -> str:
        params = self._table(table.schema, table.name) + ([("key", encode_values(key))] if key is not None else [])
        return self.to("database-row-save", params)

    def delete(self, table: Table, key: list[str | None]) -> str:
        return self.to("database-row-delete", self._table(table.schema, table.name) + [("key", encode_values(key))])

    def referenced(self, fk: ForeignKey, value: str) -> str:
        """The referenced table showing the row ``value`` points at."""
        return self.table(fk.ref_schema, fk.ref_table, filters=[Filter(fk.ref_columns[0], "eq", value)])
