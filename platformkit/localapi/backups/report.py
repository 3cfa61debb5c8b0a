"""What a restore changed, in words an operator reads: a census of the project's database
(tables with their columns and row counts, applied migrations) taken before and after it.

The census is read as the tenant, in a read-only transaction (a superuser reading tenant
tables is one tenant object away from running tenant code with its rights), with
``pg_catalog.count`` whatever the tenant's search_path says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row

from platformkit.localapi import sqlrun
from platformkit.localapi.control import one_row
from platformkit.localapi.instances.manager import Instances

# What a database holds, compared before and after: tables with their columns and row counts,
# applied migrations and the number of auth users.
MANIFEST_TABLES_SQL = """
select n.nspname as schema, c.relname as name,
       coalesce(array_agg(a.attname::text || ' ' || format_type(a.atttypid, a.atttypmod) order by a.attnum)
                filter (where a.attnum > 0 and not a.attisdropped), '{}') as columns
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_attribute a on a.attrelid = c.oid
where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
group by n.nspname, c.relname
order by 1, 2
"""


def manifest(instances: Instances, ref: str) -> dict[str, Any]:
    """The census of ``ref``'s database, read as the tenant."""
    with (
        sqlrun.project_transaction(instances, ref, read_only=True) as conn,
        conn.cursor(row_factory=dict_row) as cursor,
    ):
        tables = {}
        for row in cursor.execute(MANIFEST_TABLES_SQL).fetchall():
            if row["schema"] in ("supabase_migrations",):
                continue
            count = cursor.execute(
                sql.SQL("select pg_catalog.count(*) as n from {}.{}").format(
                    sql.Identifier(row["schema"]), sql.Identifier(row["name"])
                )
            ).fetchone()
            tables[f"{row['schema']}.{row['name']}"] = {
                "columns": list(row["columns"]),
                "rows": int(count["n"]) if count else 0,
            }
        migrations = (
            [
                str(r["version"]) + (f" {r['name']}" if r.get("name") else "")
                for r in cursor.execute(
                    "select version, name from supabase_migrations.schema_migrations order by version"
                ).fetchall()
            ]
            if one_row(cursor.execute("select to_regclass('supabase_migrations.schema_migrations') is not null as ok"))[
                "ok"
            ]
            else []
        )
    return {"tables": tables, "migrations": migrations}


def compare(now: Mapping[str, Any], then: Mapping[str, Any]) -> dict[str, Any]:
    """What going from ``now`` (before the restore) to ``then`` (after it) reverted."""
    now_tables, then_tables = now.get("tables", {}), then.get("tables", {})
    changed = []
    for name in sorted(set(now_tables) & set(then_tables)):
        a, b = now_tables[name], then_tables[name]
        if a != b:
            changed.append(
                {
                    "table": name,
                    "rows_now": a["rows"],
                    "rows_after": b["rows"],
                    "columns_removed": [c for c in a["columns"] if c not in b["columns"]],
                    "columns_restored": [c for c in b["columns"] if c not in a["columns"]],
                }
            )
    return {
        "tables_dropped": sorted(set(now_tables) - set(then_tables)),
        "tables_restored": sorted(set(then_tables) - set(now_tables)),
        "tables_changed": changed,
        "migrations_reverted": [m for m in now.get("migrations", []) if m not in then.get("migrations", [])],
        "migrations_restored": [m for m in then.get("migrations", []) if m not in now.get("migrations", [])],
        "untouched": ["project configuration", "secrets", "Edge Functions", "API keys"],
    }
