"""What an undo or PITR reverted, in words an operator reads: a census of the database (each
table's row count, the applied migrations) taken through the Management API just before the
recovery is asked for, and again once the project is healthy after it.

The census goes through the documented query and migrations endpoints (two queries: the
tables, then one statement counting them all), so the report is the
same against the platform as against the local API (whose own report is not served). It is read
in a read-only transaction; tables the tenant may not read are left out rather than failing it.
Counting is bounded by the API's statement timeout: a census that cannot finish makes the report
"unavailable" with the reason, and the recovery goes ahead regardless.
"""

from __future__ import annotations

from typing import Any

from platformkit.api import ManagementClient, errors
from platformkit.core import upstream

TABLES_SQL = """
select n.nspname as schema, c.relname as name
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and not c.relispartition
  and n.nspname not in ('pg_catalog', 'information_schema', 'supabase_migrations')
  and n.nspname !~ '^pg_(toast|temp)'
  and pg_catalog.has_schema_privilege(n.oid, 'usage') and pg_catalog.has_table_privilege(c.oid, 'select')
order by 1, 2
limit 500
"""


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _counts_sql(tables: list[dict[str, Any]]) -> str:
    """One statement counting every table (a round trip for all, not one per table); the names
    are quoted identifiers and the labels parameters, so no name is ever read as SQL."""
    return "\nunion all\n".join(
        f'select ${index}::text as "table", pg_catalog.count(*) as "rows" '
        f"from {_quoted(table['schema'])}.{_quoted(table['name'])}"
        for index, table in enumerate(tables, start=1)
    )


def census(client: ManagementClient, ref: str) -> dict[str, Any]:
    """Row counts and migrations of ``ref`` now, or ``{"unavailable": why}``. Never raises."""
    try:
        tables = client.database.query(ref, TABLES_SQL, read_only=True)
        labels = [f"{table['schema']}.{table['name']}" for table in tables]
        rows = client.database.query(ref, _counts_sql(tables), parameters=labels, read_only=True) if tables else []
        migrations = client.database.list_migrations(ref)
    except errors.APIError as exc:
        problem = upstream.describe(exc)
        return {"unavailable": f"{problem.title}: {exc.message or problem.message}"}
    return {
        "tables": {str(row["table"]): int(row["rows"] or 0) for row in rows},
        "migrations": [f"{m.version} {m.name or ''}".strip() for m in migrations],
    }


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What going from ``before`` (just before the recovery) to ``after`` (once healthy) changed."""
    unavailable = before.get("unavailable") or after.get("unavailable")
    if unavailable:
        return {"unavailable": unavailable}
    old, new = before.get("tables", {}), after.get("tables", {})
    return {
        "rows_changed": [
            {"table": name, "before": old[name], "after": new[name]}
            for name in sorted(set(old) & set(new))
            if old[name] != new[name]
        ],
        "tables_removed": sorted(set(old) - set(new)),  # made after the point restored to
        "tables_restored": sorted(set(new) - set(old)),  # dropped after it, back now
        "migrations_reverted": [m for m in before.get("migrations", []) if m not in after.get("migrations", [])],
        "migrations_restored": [m for m in after.get("migrations", []) if m not in before.get("migrations", [])],
    }
