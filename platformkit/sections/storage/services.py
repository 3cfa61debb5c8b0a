"""A project's buckets: ``GET .../storage/buckets`` for the list, and one read-only query of
``storage.buckets`` for the limits the list's answer does not carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from platformkit.api.types import StorageBucket
from platformkit.core.client import get_client

# As the Storage server reads its tables: with the service role, which the tables' row level
# security does not filter (the project owner's role sees no rows of storage.buckets).
LIMITS_SQL = """
set local role service_role;
select id, file_size_limit, allowed_mime_types from storage.buckets
"""


@dataclass(frozen=True)
class Bucket:
    id: str
    name: str
    public: bool
    created_at: str
    updated_at: str
    file_size_limit: int | None  # bytes; None: the project's global limit applies
    allowed_mime_types: list[str]  # empty: any type


def list_buckets(target_ref: str) -> list[StorageBucket]:
    return get_client().storage.list_buckets(target_ref)


def limits(target_ref: str) -> dict[str, dict[str, Any]]:
    """Each bucket's ``file_size_limit`` and ``allowed_mime_types``, by id."""
    rows = get_client(cached=False).database.query(target_ref, LIMITS_SQL, read_only=True)
    return {str(row["id"]): row for row in rows}


def buckets(listed: list[StorageBucket], limits_by_id: dict[str, dict[str, Any]]) -> list[Bucket]:
    """The listed buckets with their limits: from the list's answer when a server sends them
    (the document has no such fields), else from the query."""
    found = []
    for bucket in listed:
        extra = {**limits_by_id.get(bucket.id, {}), **bucket.extra}
        size = extra.get("file_size_limit")
        found.append(
            Bucket(
                id=bucket.id,
                name=bucket.name,
                public=bucket.public,
                created_at=bucket.created_at,
                updated_at=bucket.updated_at,
                file_size_limit=int(size) if size not in (None, "") else None,
                allowed_mime_types=[str(kind) for kind in extra.get("allowed_mime_types") or []],
            )
        )
    return found
