"""Logs and usage: ``service`` (the analytics endpoints' rules, and what the local API records
about a project), ``store`` (the events, in DuckDB), ``clickhouse`` and ``bigquery`` (the two
SQL dialects the endpoints take, compiled for the store), ``routes`` (the OpenAPI "Analytics"
operations)."""
