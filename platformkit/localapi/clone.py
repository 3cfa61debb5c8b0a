"""Copying a project's tenant objects with PostgreSQL's own tools, as the tenant's role
``postgres`` (``--role``): a branch's instance (a template copy) gets the parent's schema (and
data when asked) and migration history; restore points are the same dumps. Nothing is read or
loaded with superuser rights, so tenant code a load runs (a CHECK's function, a trigger) has
the tenant's rights only. The template's own schemas (auth, storage, extensions,
supabase_migrations) already exist in every instance: only their rows are copied.
"""

from __future__ import annotations

import subprocess

from . import provision, sqlrun
from .instances import binaries
from .instances.manager import Instances

TEMPLATE_SCHEMAS = ("auth", "storage", "extensions", "supabase_migrations")
ROWS_OF_TEMPLATE_SCHEMAS = ("auth", "storage", "supabase_migrations")


def tool(name: str) -> str:
    """The embedded server's own program (the same major version as the instances)."""
    return binaries.path(name)


def _pg_dump(instances: Instances, ref: str, args: list[str], *, output: str | None = None) -> str:
    command = [tool("pg_dump"), "--no-comments", f"--role={provision.TENANT_ROLE}", *args]
    if output:
        command.append(f"--file={output}")
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=600, env=provision.tool_environment(instances, ref)
    )
    if done.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {_quiet(done.stderr)}")
    return done.stdout


def _quiet(stderr: str) -> str:
    # the tools print connection strings on some errors: keep only lines without a password
    return " ".join(line for line in stderr.splitlines() if "password" not in line.lower())[-1500:]


def tenant_args(*, with_data: bool) -> list[str]:
    return [*(["--schema-only"] if not with_data else []), *(f"--exclude-schema={s}" for s in TEMPLATE_SCHEMAS)]


def rows_args() -> list[str]:
    return ["--data-only", *(f"--schema={s}" for s in ROWS_OF_TEMPLATE_SCHEMAS)]


def dump(instances: Instances, ref: str, *, with_data: bool = False, schemas: list[str] | None = None) -> str:
    """The tenant's objects as SQL (``schemas``: only those)."""
    if schemas:
        args = [*(["--schema-only"] if not with_data else []), *(f"--schema={s}" for s in schemas)]
    else:
        args = tenant_args(with_data=with_data)
    return _pg_dump(instances, ref, args)


def dump_files(instances: Instances, ref: str, tenant_file: str, rows_file: str) -> None:
    """A restore point: the tenant's schema and data, and the rows of the template's schemas."""
    _pg_dump(instances, ref, ["--format=custom", *tenant_args(with_data=True)], output=tenant_file)
    _pg_dump(instances, ref, ["--format=custom", *rows_args()], output=rows_file)


def restore_file(instances: Instances, ref: str, file: str) -> None:
    command = [
        tool("pg_restore"),
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        f"--role={provision.TENANT_ROLE}",
        f"--dbname={provision.TENANT_DATABASE}",
        file,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=600, env=provision.tool_environment(instances, ref)
    )
    if done.returncode != 0:
        raise RuntimeError(f"pg_restore failed: {_quiet(done.stderr)}")


def load_sql(instances: Instances, ref: str, text: str) -> None:
    done = subprocess.run(
        [tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"],
        input=f"set role {provision.TENANT_ROLE};\n" + text,
        capture_output=True,
        text=True,
        timeout=600,
        env=provision.tool_environment(instances, ref),
    )
    if done.returncode != 0:
        raise RuntimeError(f"loading into {ref} failed: {_quiet(done.stderr)}")


def copy_database(instances: Instances, source_ref: str, target_ref: str, *, with_data: bool) -> None:
    """Load the source's tenant objects into the target (a fresh template copy), all or
    nothing; the migration history always (it says which migrations the branch has), the
    auth and storage rows with the data."""
    text = dump(instances, source_ref, with_data=with_data)
    if with_data:
        text += _pg_dump(instances, source_ref, rows_args())
    load_sql(instances, target_ref, text)
    if not with_data:
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
