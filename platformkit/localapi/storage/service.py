"""A project's buckets, read from its ``storage.buckets`` as the Storage server reads them: with
the service role, which row level security does not filter (the owner role sees no rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from platformkit.localapi import sqlrun

if TYPE_CHECKING:
    from platformkit.localapi.backend import LocalAPI

BUCKETS_SQL = """
select id, name, coalesce(owner::text, '') as owner, coalesce(public, false) as public,
       created_at, updated_at
from storage.buckets order by name
"""


def buckets(api: LocalAPI, ref: str) -> list[dict[str, Any]]:
    """``V1StorageBucketResponse`` for each bucket, by name."""
    api.require_project(ref)
    with sqlrun.project_transaction(
        api.instances, ref, read_only=True, timeout_seconds=api.config.query_timeout_seconds
    ) as conn:
        conn.execute("set local role service_role")
        rows = conn.execute(BUCKETS_SQL).fetchall()
    return [
        {
            "id": bucket_id,
            "name": name,
            "owner": owner,
            "public": bool(public),
            "created_at": sqlrun.json_value(created_at),
            "updated_at": sqlrun.json_value(updated_at),
        }
        for bucket_id, name, owner, public, created_at, updated_at in rows
    ]
