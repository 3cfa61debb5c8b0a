"""Copying a project's schema with PostgreSQL's own tools, as the tenant's role ``postgres``
(``--role``): a branch without data (a template copy) gets the parent's schema and migration
history. Nothing is read or loaded with superuser rights, so tenant code a load runs (a
default's function, an event trigger) has the tenant's rights only. The template's own schemas
(auth, storage, extensions, supabase_migrations) already exist in every instance. A branch
with data is a physical clone instead (``Instances.create_clone``), restore points and PITR
are physical recoveries (:mod:`.backups`): no dump is loaded for them.
"""

from __future__ import annotations

import subprocess

from . import provision, sqlrun
from .instances import binaries
from .instances.manager import Instances

TEMPLATE_SCHEMAS = ("auth", "storage", "extensions", "supabase_migrations")


def tool(name: str) -> str:
    """The embedded server's own program (the same major version as the instances)."""
    return binaries.path(name)


def _pg_dump(instances: Instances, ref: str, args: list[str], *, output: str | None = None) -> str:
    command = [tool("pg_dump"), "--no-comments", f"--role={provision.TENANT_ROLE}", *args]
    if output:
        command.append(f"--file={output}")
    with provision.tool_environment(instances, ref) as env:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {_quiet(done.stderr)}")
    return done.stdout


def _quiet(stderr: str) -> str:
    # the tools print connection strings on some errors: keep only lines without a password
    return " ".join(line for line in stderr.splitlines() if "password" not in line.lower())[-1500:]


def dump(instances: Instances, ref: str, *, schemas: list[str] | None = None) -> str:
    """The tenant's schema as SQL (``schemas``: only those)."""
    args = [f"--schema={s}" for s in schemas] if schemas else [f"--exclude-schema={s}" for s in TEMPLATE_SCHEMAS]
    return _pg_dump(instances, ref, ["--schema-only", *args])


def load_sql(instances: Instances, ref: str, text: str) -> None:
    with provision.tool_environment(instances, ref) as env:
        done = subprocess.run(
            [tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"],
            input=f"set role {provision.TENANT_ROLE};\n" + text,
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )
    if done.returncode != 0:
        raise RuntimeError(f"loading into {ref} failed: {_quiet(done.stderr)}")


def copy_schema(instances: Instances, source_ref: str, target_ref: str) -> None:
    """Load the source's schema into the target (a fresh template copy), all or nothing, and its
    migration history (which says which migrations the branch has)."""
    load_sql(instances, target_ref, dump(instances, source_ref))
    _copy_migration_history(instances, source_ref, target_ref)


def _copy_migration_history(instances: Instances, source_ref: str, target_ref: str) -> None:
    columns = "version, statements, name, created_by, idempotency_key, rollback"
    with sqlrun.project_transaction(instances, source_ref, read_only=True) as source:
        rows = source.execute(f"select {columns} from supabase_migrations.schema_migrations").fetchall()
    with sqlrun.project_transaction(instances, target_ref) as target:
        for row in rows:
            target.execute(
                f"insert into supabase_migrations.schema_migrations ({columns}) values (%s, %s, %s, %s, %s, %s)", row
            )
