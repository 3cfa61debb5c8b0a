"""A project's (or branch's) database: its own PostgreSQL instance (``instances/``), made from
the template with Supabase's roles and schemas. The tenant's role is ``postgres`` (not a
superuser; its password is the project's ``db_pass``); the pooler's user for it is
``postgres.<ref>``, as on the platform.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from .instances.manager import Instances

TENANT_ROLE = "postgres"
TENANT_DATABASE = "postgres"


def pooler_user(ref: str) -> str:
    """The user a pooler connection names (Supavisor's ``postgres.<ref>``)."""
    return f"{TENANT_ROLE}.{ref}"


@contextmanager
def tool_environment(instances: Instances, ref: str) -> Iterator[dict[str, str]]:
    """pg_dump / pg_restore / psql reach the project's instance as ``platformkit_sql`` through
    the environment (``ps`` shows command lines to everyone); they ``--role=postgres``, so what
    they read and load is the tenant's own rights, never a superuser's. The instance is held in
    use meanwhile: a dump longer than the idle time is not cut by the idle stop."""
    with instances.using(ref) as instance:
        params = psycopg.conninfo.conninfo_to_dict(instance.sql_conninfo())
        env = {
            "PGHOST": str(params["host"]),
            "PGPORT": str(params["port"]),
            "PGUSER": str(params["user"]),
            "PGPASSWORD": str(params["password"]),
            "PGDATABASE": TENANT_DATABASE,
        }
        yield {**{k: v for k, v in os.environ.items() if not k.startswith("PG")}, **env}
