"""Tag "Storage": a project's buckets."""

from __future__ import annotations

from dataclasses import dataclass

from ._base import APIObject


@dataclass(frozen=True)
class StorageBucket(APIObject):
    """An item of ``v1-list-all-buckets``: ``V1StorageBucketResponse``. The document lists no
    file size limit or MIME types; a server that sends them leaves them in ``extra``."""

    id: str = ""
    name: str = ""
    owner: str = ""
    public: bool = False
    created_at: str = ""
    updated_at: str = ""
