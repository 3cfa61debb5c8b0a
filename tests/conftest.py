"""Shared fixtures: the embedded PostgreSQL cluster every test runs against.

The cluster is started here, at configure time, because pytest-django connects to it (to
create the test database) before any fixture runs. Fixtures that start the local Management
API over real HTTP live below, so every test module uses the same real pieces.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from platformkit.localapi.pgserver import PostgresLocation, start_embedded

DATA_DIR = Path(os.environ["PLATFORMKIT_DATA_DIR"])
SHARED_DIR = Path(__file__).resolve().parent.parent.parent / "shared"
OPENAPI_PATH = SHARED_DIR / "supabase-management-api" / "openapi.json"

_location: PostgresLocation | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _location
    if not os.environ.get("DATABASE_URL"):
        _location = start_embedded(DATA_DIR)


@pytest.fixture(scope="session")
def pg_location() -> PostgresLocation:
    """Where the tests' PostgreSQL cluster listens (superuser access)."""
    if _location is None:
        pytest.skip("tests run against DATABASE_URL; no embedded cluster to hand out")
    return _location


@pytest.fixture(scope="session")
def openapi_document() -> dict:
    """The real API's contract, from ../shared (skipped, with the reason, when absent)."""
    import json

    if not OPENAPI_PATH.exists():
        pytest.skip(f"the OpenAPI document is not beside the checkout ({OPENAPI_PATH} is missing)")
    return json.loads(OPENAPI_PATH.read_text())
