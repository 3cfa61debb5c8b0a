"""The local Management API's behaviour, free of HTTP: each method takes validated input and
returns the JSON the real API answers with (field names from the OpenAPI document), or raises
:class:`Problem` with the status and message the real API would give."""

from __future__ import annotations

import re
import time
from typing import Any

from . import catalog, provision
from .config import LocalAPIConfig
from .store import ProjectRow, Store, random_ref

REF = re.compile(r"^[a-z]{20}$")
SLUG = re.compile(r"^[\w-]+$")


class Problem(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _require(condition: bool, message: str, status: int = 400) -> None:
    if not condition:
        raise Problem(status, message)


class LocalAPI:
    def __init__(self, config: LocalAPIConfig) -> None:
        self.config = config
        self.store = Store(config.database_url, config.control_db)
        self.store.migrate()
        self._version = provision.server_version(config.database_url)

    # Organizations

    def list_organizations(self) -> list[dict[str, Any]]:
        return [{"id": row["slug"], "slug": row["slug"], "name": row["name"]} for row in self.store.organizations()]

    def create_organization(self, body: dict[str, Any]) -> dict[str, Any]:
        unknown = set(body) - {"name"}
        _require(not unknown, f"unknown field(s): {', '.join(sorted(unknown))}")
        name = body.get("name")
        _require(isinstance(name, str) and 0 < len(name) <= 256, "name must be a string of 1 to 256 characters")
        row = self.store.create_organization(name)
        return {"id": row["slug"], "slug": row["slug"], "name": row["name"]}

    def get_organization(self, slug: str) -> dict[str, Any]:
        row = self._organization(slug)
        return {"id": row["slug"], "name": row["name"], "plan": "free", "opt_in_tags": [], "allowed_release_channels": ["ga"]}

    def organization_projects(self, slug: str, params: dict[str, str]) -> dict[str, Any]:
        self._organization(slug)
        offset, limit = _int_param(params, "offset", 0, 0, None), _int_param(params, "limit", 100, 1, 100)
        sort = params.get("sort", "name_asc")
        _require(sort in {"name_asc", "name_desc", "created_asc", "created_desc"}, f"sort must be one of name_asc, name_desc, created_asc, created_desc, not {sort!r}")
        rows = self.store.projects(slug)
        search = params.get("search")
        if search:
            rows = [row for row in rows if search.lower() in row.name.lower() or search in row.ref]
        statuses = [status for status in params.get("statuses", "").split(",") if status]
        if statuses:
            rows = [row for row in rows if row.status in statuses]
        key, reverse = sort.split("_")
        rows.sort(key=(lambda row: row.name.lower()) if key == "name" else (lambda row: row.created_at), reverse=reverse == "desc")
        page = rows[offset : offset + limit]
        return {
            "projects": [self._organization_project(row) for row in page],
            "pagination": {"count": len(rows), "limit": limit, "offset": offset},
        }

    # Projects

    def list_projects(self) -> list[dict[str, Any]]:
        return [self._project_with_database(row) for row in self.store.projects()]

    def create_project(self, body: dict[str, Any]) -> dict[str, Any]:
        name, slug, db_pass = body.get("name"), body.get("organization_slug"), body.get("db_pass")
        _require(isinstance(name, str) and 0 < len(name) <= 256, "name is required: a string of 1 to 256 characters")
        _require(isinstance(slug, str) and bool(SLUG.match(slug)), "organization_slug is required and must match ^[\\w-]+$")
        _require(isinstance(db_pass, str) and len(db_pass) > 0, "db_pass is required: a non-empty string")
        self._organization(slug, status=400)
        region = self._region(body)
        size = body.get("desired_instance_size", "nano")
        _require(size in catalog.INSTANCE_SIZES, f"desired_instance_size must be one of {', '.join(catalog.INSTANCE_SIZES)}")
        ref = random_ref()
        self.store.add_project(ref=ref, organization_slug=slug, name=name, region=region, instance_size=size)
        try:
            provision.create_project_database(self.config.database_url, ref, db_pass)
        except Exception as exc:  # the record stays, as a failed project does upstream
            self.store.set_status(ref, catalog.INIT_FAILED)
            raise Problem(500, f"Failed to create project database: {type(exc).__name__}") from exc
        self.store.set_status(ref, catalog.COMING_UP, then=catalog.ACTIVE_HEALTHY, after_seconds=self.config.status_delay_seconds)
        row = self._project(ref)
        return self._project_fields(row)

    def get_project(self, ref: str) -> dict[str, Any]:
        return self._project_with_database(self._project(ref))

    def update_project(self, ref: str, body: dict[str, Any]) -> dict[str, Any]:
        row = self._project(ref)
        name = body.get("name")
        _require(isinstance(name, str) and 0 < len(name) <= 256, "name is required: a string of 1 to 256 characters")
        self.store.rename_project(ref, name)
        return {"id": self.store.numeric_id(ref), "ref": ref, "name": name or row.name}

    def delete_project(self, ref: str) -> dict[str, Any]:
        row = self._project(ref)
        provision.drop_project_database(self.config.database_url, ref)
        self.store.mark_deleted(ref)
        return {"id": self.store.numeric_id(ref), "ref": ref, "name": row.name}

    def health(self, ref: str, services: list[str]) -> list[dict[str, Any]]:
        row = self._project(ref)
        _require(bool(services), "services is required: one or more of " + ", ".join(catalog.SERVICES))
        unknown = [service for service in services if service not in catalog.SERVICES]
        _require(not unknown, f"unknown service(s): {', '.join(unknown)}; expected any of {', '.join(catalog.SERVICES)}")
        return [self._service_health(row, service) for service in dict.fromkeys(services)]

    def available_regions(self, params: dict[str, str]) -> dict[str, Any]:
        slug = params.get("organization_slug")
        _require(bool(slug), "organization_slug is required")
        self._organization(slug, status=400)  # type: ignore[arg-type]
        continent = params.get("continent")
        _require(continent is None or continent in catalog.CONTINENT_SMART_GROUP, f"continent must be one of {', '.join(catalog.CONTINENT_SMART_GROUP)}")
        size = params.get("desired_instance_size")
        _require(size is None or size in catalog.INSTANCE_SIZES, "desired_instance_size is not a known instance size")
        group = catalog.CONTINENT_SMART_GROUP.get(continent or "NA", "americas")
        smart = [{"name": name, "code": code, "type": "smartGroup"} for code, name in catalog.SMART_GROUPS.items()]
        specific = [
            {"name": name, "code": code, "type": "specific", "provider": "AWS", "status": "capacity"}
            for code, (name, _) in catalog.REGIONS.items()
        ]
        return {
            "recommendations": {
                "smartGroup": next(item for item in smart if item["code"] == group),
                "specific": [item for item in specific if catalog.REGIONS[item["code"]][1] == group],
            },
            "all": {"smartGroup": smart, "specific": specific},
        }

    def pause(self, ref: str) -> None:
        row = self._project(ref)
        _require(row.status == catalog.ACTIVE_HEALTHY, f"Project is {row.status}; only an ACTIVE_HEALTHY project can be paused", 400)
        self.store.set_status(ref, catalog.PAUSING)
        provision.allow_connections(self.config.database_url, ref, False)
        self.store.set_status(ref, catalog.PAUSING, then=catalog.INACTIVE, after_seconds=self.config.status_delay_seconds / 2)

    def restore(self, ref: str) -> None:
        row = self._project(ref)
        _require(row.status == catalog.INACTIVE, f"Project is {row.status}; only an INACTIVE (paused) project can be restored", 400)
        provision.allow_connections(self.config.database_url, ref, True)
        self.store.set_status(ref, catalog.RESTORING, then=catalog.ACTIVE_HEALTHY, after_seconds=self.config.status_delay_seconds)

    def restore_versions(self, ref: str) -> dict[str, Any]:
        self._project(ref)
        # One server version here, which the project already runs: nothing else to restore to.
        return {"available_versions": []}

    # Helpers

    def check_ref(self, ref: str) -> None:
        _require(bool(REF.match(ref)), f"ref must be 20 lowercase letters, not {ref!r}")

    def _project(self, ref: str) -> ProjectRow:
        self.check_ref(ref)
        row = self.store.project(ref)
        if row is None:
            raise Problem(404, f"Project {ref} not found")
        return row

    def _organization(self, slug: str, status: int = 404) -> dict[str, Any]:
        row = self.store.organization(slug)
        if row is None:
            raise Problem(status, f"Organization {slug} not found")
        return row

    def _region(self, body: dict[str, Any]) -> str:
        selection, legacy = body.get("region_selection"), body.get("region")
        _require(selection is None or legacy is None, "give either region_selection or region, not both")
        if legacy is not None:
            _require(legacy in catalog.REGIONS, f"region must be one of {', '.join(catalog.REGIONS)}")
            return str(legacy)
        if selection is None:
            return catalog.SMART_GROUP_DEFAULT_REGION["americas"]
        _require(isinstance(selection, dict), "region_selection must be an object {type, code}")
        kind, code = selection.get("type"), selection.get("code")
        if kind == "smartGroup":
            _require(code in catalog.SMART_GROUPS, f"region_selection.code must be one of {', '.join(catalog.SMART_GROUPS)} for a smartGroup")
            return catalog.SMART_GROUP_DEFAULT_REGION[code]
        _require(kind == "specific", "region_selection.type must be 'specific' or 'smartGroup'")
        _require(code in catalog.REGIONS, f"region_selection.code must be one of {', '.join(catalog.REGIONS)}")
        return str(code)

    def _project_fields(self, row: ProjectRow) -> dict[str, Any]:
        return {
            "id": row.ref,
            "ref": row.ref,
            "organization_id": row.organization_slug,
            "organization_slug": row.organization_slug,
            "name": row.name,
            "region": row.region,
            "created_at": row.created_at.isoformat().replace("+00:00", "Z"),
            "status": row.status,
        }

    def _project_with_database(self, row: ProjectRow) -> dict[str, Any]:
        return {
            **self._project_fields(row),
            "database": {
                "host": self.store_host(),
                "version": self._version,
                "postgres_engine": self._version.split(".")[0],
                "release_channel": "ga",
            },
        }

    def store_host(self) -> str:
        import psycopg

        info = psycopg.conninfo.conninfo_to_dict(self.config.database_url)
        return str(info.get("host") or "localhost")

    def _organization_project(self, row: ProjectRow) -> dict[str, Any]:
        database_status = row.status if row.status in {catalog.ACTIVE_HEALTHY, catalog.COMING_UP, catalog.RESTORING} else "UNKNOWN"
        return {
            "ref": row.ref,
            "name": row.name,
            "cloud_provider": "AWS",
            "region": row.region,
            "is_branch": False,
            "status": row.status,
            "inserted_at": row.created_at.isoformat().replace("+00:00", "Z"),
            "databases": [
                {
                    "infra_compute_size": row.instance_size,
                    "region": row.region,
                    "status": database_status,
                    "cloud_provider": "AWS",
                    "identifier": row.ref,
                    "type": "PRIMARY",
                }
            ],
        }

    def _service_health(self, row: ProjectRow, service: str) -> dict[str, Any]:
        if row.status in {catalog.COMING_UP, catalog.RESTORING}:
            return {"name": service, "healthy": False, "status": "COMING_UP"}
        if row.status != catalog.ACTIVE_HEALTHY:
            return {"name": service, "healthy": False, "status": "UNHEALTHY", "error": f"project is {row.status}"}
        if service in {"db", "db_postgres_user", "pooler", "pg_bouncer"}:
            problem = provision.check_connection(self.config.database_url, row.ref)
            healthy = problem is None
            answer: dict[str, Any] = {
                "name": service,
                "healthy": healthy,
                "status": "ACTIVE_HEALTHY" if healthy else "UNHEALTHY",
                "info": {"healthy": healthy, "db_connected": healthy, "replication_connected": False, "connected_cluster": 1 if healthy else 0},
            }
            if problem:
                answer["error"] = problem
            return answer
        info: dict[str, Any] | None = None
        if service == "auth":
            info = {"name": "GoTrue", "version": "local", "description": "platformkit local API"}
        elif service == "rest":
            info = {"db_schema": "public,graphql_public"}
        answer = {"name": service, "healthy": True, "status": "ACTIVE_HEALTHY"}
        if info:
            answer["info"] = info
        return answer

    def simulate_latency(self) -> None:
        if self.config.latency_seconds > 0:
            time.sleep(self.config.latency_seconds)


def _int_param(params: dict[str, str], name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Problem(400, f"{name} must be an integer, not {raw!r}") from None
    _require(value >= low and (high is None or value <= high), f"{name} must be between {low} and {high or 'any'}")
    return value
