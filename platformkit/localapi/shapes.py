"""The JSON the real API answers with, built from our records (field names and enums from
the OpenAPI document's response schemas)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import catalog
from .store import ProjectRow


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def organization(row: dict[str, Any]) -> dict[str, Any]:
    """OrganizationResponseV1 (``id`` is the deprecated alias of ``slug``)."""
    return {"id": row["slug"], "slug": row["slug"], "name": row["name"]}


def organization_detail(row: dict[str, Any]) -> dict[str, Any]:
    """V1OrganizationSlugResponse."""
    return {
        "id": row["slug"],
        "name": row["name"],
        "plan": "free",
        "opt_in_tags": [],
        "allowed_release_channels": ["ga"],
    }


def project(row: ProjectRow) -> dict[str, Any]:
    """V1ProjectResponse (``id`` and ``organization_id`` are deprecated string aliases)."""
    return {
        "id": row.ref,
        "ref": row.ref,
        "organization_id": row.organization_slug,
        "organization_slug": row.organization_slug,
        "name": row.name,
        "region": row.region,
        "created_at": timestamp(row.created_at),
        "status": row.status,
    }


def project_with_database(row: ProjectRow, host: str, version: str, port: int | None = None) -> dict[str, Any]:
    """V1ProjectWithDatabaseResponse: where the database is and which PostgreSQL it runs.

    ``port`` is the local API's addition (docs/client-compatibility.md): every hosted database
    listens on 5432, each local instance on a port of its own, so a client needs to be told."""
    database: dict[str, Any] = {
        "host": host,
        "version": version,
        "postgres_engine": version.split(".")[0],
        "release_channel": "ga",
    }
    if port is not None:
        database["port"] = port
    return {**project(row), "database": database}


def project_ref(row: ProjectRow, name: str | None = None) -> dict[str, Any]:
    """V1ProjectRefResponse, whose ``id`` is an integer."""
    return {"id": row.id, "ref": row.ref, "name": name if name is not None else row.name}


def organization_project(row: ProjectRow) -> dict[str, Any]:
    """One item of OrganizationProjectsResponse.projects."""
    return {
        "ref": row.ref,
        "name": row.name,
        "cloud_provider": "AWS",
        "region": row.region,
        "is_branch": False,
        "status": row.status,
        "inserted_at": timestamp(row.created_at),
        "databases": [
            {
                "infra_compute_size": row.instance_size,
                "region": row.region,
                "status": catalog.DATABASE_STATUS.get(row.status, row.status),
                "cloud_provider": "AWS",
                "identifier": row.ref,
                "type": "PRIMARY",
            }
        ],
    }


def regions_info(recommended_group: str) -> dict[str, Any]:
    """RegionsInfo: every smart group and specific region, and those recommended for a continent."""
    groups = [{"name": name, "code": code, "type": "smartGroup"} for code, name in catalog.SMART_GROUPS.items()]
    specific = [
        {"name": name, "code": code, "type": "specific", "provider": "AWS", "status": "capacity"}
        for code, (name, _) in catalog.REGIONS.items()
    ]
    return {
        "recommendations": {
            "smartGroup": next(group for group in groups if group["code"] == recommended_group),
            "specific": [item for item in specific if catalog.REGIONS[item["code"]][1] == recommended_group],
        },
        "all": {"smartGroup": groups, "specific": specific},
    }


def service_health(
    service: str, status: str, info: dict[str, Any] | None = None, error: str | None = None
) -> dict[str, Any]:
    """V1ServiceHealthResponse (``healthy`` is the deprecated twin of ``status``)."""
    answer: dict[str, Any] = {"name": service, "healthy": status == catalog.ACTIVE_HEALTHY, "status": status}
    if info is not None:
        answer["info"] = info
    if error is not None:
        answer["error"] = error
    return answer
