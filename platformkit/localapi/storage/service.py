"""A project's buckets, read from its ``storage.buckets`` as the Storage server reads them: with
the service role, which row level security does not filter (the owner role sees no rows)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from platformkit.localapi import sqlrun
from platformkit.localapi.instances.manager import Instances

BUCKETS_SQL = """
select id, name, coalesce(owner::text, '') as owner, coalesce(public, false) as public,
       created_at, updated_at
from storage.buckets order by name
"""


class Storage:
    def __init__(self, project: Callable[[str], object], instances: Instances, *, timeout_seconds: float) -> None:
        self._project = project
        self._instances = instances
        self._timeout = timeout_seconds

    def buckets(self, ref: str) -> list[dict[str, Any]]:
        """``V1StorageBucketResponse`` for each bucket, by name."""
        self._project(ref)
        with sqlrun.project_transaction(self._instances, ref, read_only=True, timeout_seconds=self._timeout) as conn:
            conn.execute("set local role service_role")
            rows = conn.execute(BUCKETS_SQL).fetchall()
        return _shaped(rows)


def _shaped(rows: list[Any]) -> list[dict[str, Any]]:
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
