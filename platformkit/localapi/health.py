"""Service health as ``GET /v1/projects/{ref}/health`` reports it: the database services by
really connecting to the project's database, the others from the project's state (no GoTrue,
PostgREST or storage server runs locally; they would be up exactly when the project is)."""

from __future__ import annotations

from typing import Any

from . import catalog, shapes
from .instances.manager import Instances
from .store import ProjectRow

STARTING = {catalog.COMING_UP, catalog.RESTORING}

# The ``info`` each service's variant of V1ServiceHealthResponse.info carries.
SERVICE_INFO: dict[str, dict[str, Any]] = {
    "auth": {"name": "GoTrue", "version": "local", "description": "platformkit local Management API"},
    "rest": {"db_schema": "public,graphql_public"},
}


def service_health(instances: Instances, row: ProjectRow, service: str) -> dict[str, Any]:
    if row.status in STARTING:
        return shapes.service_health(service, "COMING_UP")
    if service in catalog.DATABASE_SERVICES:
        return _database_health(instances, row, service)
    if row.status != catalog.ACTIVE_HEALTHY:
        return shapes.service_health(service, "UNHEALTHY", error=f"Project is {row.status}")
    return shapes.service_health(service, "ACTIVE_HEALTHY", SERVICE_INFO.get(service))


def _database_health(instances: Instances, row: ProjectRow, service: str) -> dict[str, Any]:
    if row.status == catalog.INACTIVE:
        problem: str | None = "Project is INACTIVE: its instance is stopped"  # a check must not start it
    else:
        problem = instances.connection_problem(row.ref)  # a real connection (starting a scaled-to-zero one)
    if problem is None and row.status != catalog.ACTIVE_HEALTHY:
        problem = f"Project is {row.status}"
    connected = problem is None
    info = {
        "healthy": connected,
        "db_connected": connected,
        "replication_connected": False,
        "connected_cluster": int(connected),
    }
    return shapes.service_health(service, "ACTIVE_HEALTHY" if connected else "UNHEALTHY", info, problem)
