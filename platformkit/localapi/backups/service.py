"""Restore points, undo and point-in-time recovery, physical: WAL archiving, base backups and
recovery into a new data directory (the engine in :mod:`platformkit.localapi.recovery`).

- A **restore point** is ``pg_create_restore_point(name)`` on the project's instance; its row
  in the control state keeps the name with the point's LSN, timeline and time (a recovery
  needs the LSN and timeline, not only the name). PENDING until its WAL is archived and a base
  backup before it exists (the first one is taken in the background as the instance is made).
- **Undo** recovers the instance's store to the point into ``pgdata.recovering`` while the
  project is RESTORING, then the engine's journalled swap makes it the data dir.
- **PITR** seals the live instance (every commit so far archived), then recovers to the
  target second: a commit at or before it is kept, a later one is gone.
- Periodic base backups (incremental after the first) and pruning by retention days replace
  the per-minute dumps of the interim design.

Nothing here runs SQL of the tenant's as a superuser: a recovery replays WAL (page images and
redo records), it evaluates no function, trigger or CHECK constraint. The report of what a
restore changed is a census read as the tenant (:mod:`.report`), before and after.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from platformkit.localapi import catalog, control, recovery
from platformkit.localapi.control import one_row
from platformkit.localapi.errors import Problem, require
from platformkit.localapi.instances.manager import Instances
from platformkit.localapi.recovery.postmaster import postmaster_pid, stop

from .report import compare, manifest

logger = logging.getLogger("platformkit.localapi")

NAME_MAX = 20  # V1RestorePointPostBody.name maxLength
PENDING, AVAILABLE, FAILED, REMOVED = "PENDING", "AVAILABLE", "FAILED", "REMOVED"
# What an interrupted restore left (its report's ``state``).
UNCHANGED = "unchanged: the recovery had not been swapped in; the previous data is intact"
RESTORED = "restored: the recovery had been swapped in; only its report was cut short"
RESTORED_ON_START = "restored: the swap had begun, and was completed when the local API started again"
DEFAULT_RETENTION_DAYS = 7  # restore points of a project without PITR stay restorable this long

SCHEMA_SQL = """
create table if not exists restore_points (
    id bigserial primary key,
    ref text not null,
    name text not null,
    status text not null,
    lsn text,                           -- pg_create_restore_point's LSN: what recover() stops at
    timeline integer,
    point_time timestamptz,
    error text,
    created_at timestamptz not null default now(),
    completed_at timestamptz
);
create unique index if not exists restore_points_ref_name on restore_points (ref, name)
    where status <> 'REMOVED';
create table if not exists pitr_settings (
    ref text primary key,
    retention_days integer not null,
    enabled_at timestamptz not null default now()
);
create table if not exists restores_under_way (   -- an undo or PITR between its 201 and its report
    ref text primary key,
    kind text not null,
    target text not null,
    started_at timestamptz not null default now()
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


class Backups:
    """Owned by :class:`LocalAPI`; ``project(ref)`` answers the project row or raises 404."""

    def __init__(
        self,
        *,
        instances: Instances,
        control_url: str,
        project: Callable[[str], Any],
        set_status: Callable[..., None],
        status_delay_seconds: float,
        base_backup_interval_seconds: float,
    ) -> None:
        self.instances = instances
        self._control_url = control_url
        self._project = project
        self._set_status = set_status
        self._status_delay = status_delay_seconds
        self.base_backup_interval_seconds = base_backup_interval_seconds
        self._busy: set[str] = set()  # refs with an undo or PITR under way
        self._guard = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        with self._connect() as conn:
            conn.execute("select pg_advisory_xact_lock(hashtext('platformkit.localapi.backups'))")
            conn.execute(SCHEMA_SQL)
            # A point interrupted by a stop never completes: say so rather than pend forever.
            conn.execute(
                "update restore_points set status = 'FAILED', error = 'interrupted by a restart'"
                " where status = 'PENDING'"
            )
        self._ticker = threading.Thread(target=self._backup_loop, name="localapi-base-backups", daemon=True)
        self._ticker.start()

    def _connect(self) -> Any:  # a pooled session (control.connect)
        return control.connect(self._control_url)

    # Restore points

    def create_restore_point(self, ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        self._ready(ref)
        name = _point_name(body)
        with self._connect() as conn:
            taken = conn.execute(
                "select 1 from restore_points where ref = %s and name = %s and status <> 'REMOVED'", (ref, name)
            ).fetchone()
            require(taken is None, f"A restore point named {name!r} already exists for project {ref}", 409)
            row = one_row(
                conn.execute(
                    "insert into restore_points (ref, name, status) values (%s, %s, 'PENDING') returning *",
                    (ref, name),
                )
            )
        self._in_background(f"restore-point-{ref}-{name}", self._take_point, row["id"], ref, name)
        return _point_shape(row)

    def get_restore_point(self, ref: str, params: Mapping[str, str]) -> dict[str, Any]:
        self._project(ref)
        name = params.get("name", "")
        require(bool(name), "name is required: the restore point to look up")
        return _point_shape(self._point(ref, name))

    def undo(self, ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        name = _point_name(body)
        self._ready(ref)
        row = self._point(ref, name)
        require(
            row["status"] == AVAILABLE,
            f"Restore point {name!r} is {row['status']}, not AVAILABLE: it cannot be restored yet",
            409,
        )
        point = recovery.RestorePoint(
            name=row["name"], lsn=row["lsn"], time=row["point_time"], timeline=int(row["timeline"])
        )
        return self._restore(ref, point, kind="undo", label=name)

    # PITR

    def set_pitr(self, ref: str, retention_days: int, *, backup_now: bool = True) -> None:
        """Turn PITR on (``retention_days`` > 0) or off for a project; the lifecycle add-on calls this.
        The window is the instance's archive: it starts at its first base backup (taken now
        unless ``backup_now`` is false: a new project's is already under way in the background)."""
        with self._connect() as conn:
            if retention_days > 0:
                conn.execute(
                    "insert into pitr_settings (ref, retention_days) values (%s, %s)"
                    " on conflict (ref) do update set retention_days = excluded.retention_days",
                    (ref, retention_days),
                )
            else:
                conn.execute("delete from pitr_settings where ref = %s", (ref,))
        if backup_now and retention_days > 0 and not self.instances.store(ref).backups():
            self.instances.ensure_base_backup(ref)

    def pitr_retention_days(self, ref: str) -> int:
        with self._connect() as conn:
            row = conn.execute("select retention_days from pitr_settings where ref = %s", (ref,)).fetchone()
        return int(row["retention_days"]) if row else 0

    def backups(self, ref: str, region: str) -> dict[str, Any]:
        self._project(ref)
        days = self.pitr_retention_days(ref)
        store = self.instances.store(ref)
        span = recovery.window(store) if days else None
        physical: dict[str, int] = {}
        if span is not None:
            physical = {
                "earliest_physical_backup_date_unix": int(span.earliest.timestamp()),
                "latest_physical_backup_date_unix": int(span.latest.timestamp()),
            }
        return {
            "region": region,
            "walg_enabled": True,  # physical base backups and archived WAL, as WAL-G keeps them
            "pitr_enabled": days > 0,
            "backups": [
                {
                    "id": int(backup.end_time.timestamp() * 1000),
                    "is_physical_backup": True,
                    "status": "COMPLETED",
                    "inserted_at": backup.end_time.isoformat(),
                }
                for backup in reversed(store.backups())
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
        require(self.pitr_retention_days(ref) > 0, f"Point-in-time recovery is not enabled for project {ref}", 400)
        when = datetime.fromtimestamp(int(target), UTC)  # type: ignore[arg-type]
        require(when <= datetime.now(UTC), "recovery_time_target_unix is in the future")
        span = recovery.window(self.instances.store(ref))
        earliest = span.earliest.isoformat() if span else "none yet"
        require(
            span is not None and when >= span.earliest,
            f"recovery_time_target_unix is before the earliest recovery point ({earliest})",
        )
        # Every commit until now reaches the archive, and the replay has a commit after the
        # target to stop at.
        try:
            with self.instances.admin(ref) as conn:
                recovery.seal(conn)
        except (recovery.RecoveryError, psycopg.Error) as exc:
            raise Problem(503, f"The project's WAL could not be archived for the recovery; try again: {exc}") from None
        return self._restore(ref, when, kind="pitr", label=when.isoformat())

    def reports(self, ref: str) -> list[dict[str, Any]]:
        with self._connect() as conn:
            return conn.execute(
                "select kind, target, report, created_at from undo_reports where ref = %s order by id desc", (ref,)
            ).fetchall()

    def report_list(self, ref: str) -> list[dict[str, Any]]:
        """The reports as JSON (the local extension route)."""
        self._project(ref)
        return [{**row, "created_at": row["created_at"].isoformat()} for row in self.reports(ref)]

    # Space

    def usage(self, ref: str) -> dict[str, Any]:
        """Base backups and archived WAL kept for ``ref``."""
        store = self.instances.store(ref)
        backups = store.backups()
        wal = sum(path.stat().st_size for path in store.wal_segments())
        return {"backups": len(backups), "bytes": sum(b.size_bytes for b in backups) + wal}

    def prune(self, ref: str, *, keep: timedelta | None = None) -> recovery.Pruned:
        """Backups and WAL older than the retention go; restore points before the window with them."""
        if keep is None:
            keep = timedelta(days=self.pitr_retention_days(ref) or DEFAULT_RETENTION_DAYS)
        store = self.instances.store(ref)
        pruned = recovery.prune(store, keep)
        span = recovery.window(store)
        if span is not None:
            with self._connect() as conn:
                conn.execute(
                    "update restore_points set status = 'REMOVED'"
                    " where ref = %s and status = 'AVAILABLE' and point_time < %s",
                    (ref, span.earliest),
                )
        return pruned

    def forget(self, ref: str) -> None:
        """A deleted project's points go with it (its store went with its instance)."""
        with self._connect() as conn:
            conn.execute("update restore_points set status = 'REMOVED' where ref = %s", (ref,))
            conn.execute("delete from pitr_settings where ref = %s", (ref,))
            conn.execute("delete from restores_under_way where ref = %s", (ref,))

    def end_interrupted(self, swaps: Mapping[str, recovery.Outcome]) -> list[str]:
        """At start, after the instances' reconcile (``swaps``: how it settled each swap it found
        cut short): every undo or PITR that a stop cut short between its 201 and its report gets
        a report saying so, and what data the project has now. Their refs."""
        with self._connect() as conn:
            rows = conn.execute("select ref, kind, target, started_at from restores_under_way").fetchall()
        for row in rows:
            ref = row["ref"]
            if swaps.get(ref) == recovery.Outcome.COMPLETED:
                state = RESTORED_ON_START
            elif self._swapped_since(ref, row["started_at"]):  # cut short after its swap, before its report
                state = RESTORED
            else:
                state = UNCHANGED
            self._record(ref, row["kind"], row["target"], _interrupted(row["kind"], row["target"], state))
        return [str(row["ref"]) for row in rows]

    def _swapped_since(self, ref: str, since: datetime) -> bool:
        """Whether a recovery was swapped in since ``since``: a swap registers the timeline it
        made live, with when, in the store's catalog."""
        try:
            return any(timeline.since >= since for timeline in self.instances.store(ref).read().timelines)
        except (OSError, ValueError):
            return False

    def close(self, timeout: float = 30.0) -> None:
        """Stop: a recovery under way is abandoned (its postmaster stopped, its thread then
        records the interruption; the previous data stays), a swap under way finishes."""
        self._stop.set()
        with self._guard:
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        for thread in threads:
            while thread.is_alive() and time.monotonic() < deadline:
                with self._guard:
                    busy = list(self._busy)
                for ref in busy:
                    _stop_recovery(self.instances.recovery_dir(ref))
                thread.join(0.1)

    # Internals

    def _ready(self, ref: str) -> None:
        row = self._project(ref)
        busy = row.status == catalog.RESTORING or ref in self._busy
        require(not busy, f"Project {ref} is being restored; wait until it is ACTIVE_HEALTHY", 409)
        require(row.status == catalog.ACTIVE_HEALTHY, f"Project {ref} is {row.status}; it must be ACTIVE_HEALTHY", 400)

    def _point(self, ref: str, name: str) -> dict[str, Any]:
        with self._connect() as conn:
            row = conn.execute(
                "select * from restore_points where ref = %s and name = %s and status <> 'REMOVED'"
                " order by id desc limit 1",
                (ref, name),
            ).fetchone()
        if row is None:
            raise Problem(404, f"No restore point named {name!r} in project {ref}")
        return dict(row)

    def _in_background(self, name: str, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=f"localapi-{name}", daemon=True)
        with self._guard:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _take_point(self, point_id: int, ref: str, name: str) -> None:
        try:
            self.instances.ensure_base_backup(ref)  # a point is restorable from a backup before it
            with self.instances.admin(ref) as conn:
                point = recovery.create_restore_point(conn, name)
        except Exception as exc:  # recorded on the row: the point shows FAILED with the reason
            logger.exception("restore point %s of project %s failed", name, ref)
            self._update(point_id, status=FAILED, error=str(exc)[:500])
            return
        self._update(
            point_id,
            status=AVAILABLE,
            lsn=point.lsn,
            timeline=point.timeline,
            point_time=point.time,
            completed_at=datetime.now(UTC),
        )

    def _backup_loop(self) -> None:
        while not self._stop.wait(min(self.base_backup_interval_seconds, 60.0)):
            for ref in self.instances.refs():
                if self._stop.is_set():
                    return
                try:
                    self._periodic(ref)
                except Problem:
                    continue  # a project deleted meanwhile
                except Exception:
                    logger.exception("periodic base backup of %s failed", ref)

    def _periodic(self, ref: str) -> None:
        """A base backup when the newest is older than the interval (of a running instance:
        a stopped one wrote nothing since), then pruning by retention."""
        if ref in self._busy or self._project(ref).status != catalog.ACTIVE_HEALTHY:
            return
        if not self.instances.instance(ref).is_running():
            return
        if self.instances.base_backup_when_older(ref, self.base_backup_interval_seconds) is not None:
            self.prune(ref)

    def _restore(self, ref: str, target: recovery.Target, *, kind: str, label: str) -> dict[str, Any]:
        with self._guard:
            require(ref not in self._busy, f"Project {ref} is already being restored", 409)
            self._busy.add(ref)
        try:
            before = _manifest_or_why(self.instances, ref)
            with self._connect() as conn:  # until its report: a restart cut it short if this stays
                conn.execute(
                    "insert into restores_under_way (ref, kind, target) values (%s, %s, %s)"
                    " on conflict (ref) do update set kind = excluded.kind, target = excluded.target,"
                    " started_at = now()",
                    (ref, kind, label),
                )
            self._set_status(ref, catalog.RESTORING)
        except BaseException:
            with self._guard:
                self._busy.discard(ref)
            raise
        self._in_background(f"{kind}-{ref}", self._recover, ref, target, kind, label, before)
        return {"restored_to": label}

    def _recover(self, ref: str, target: recovery.Target, kind: str, label: str, before: dict[str, Any]) -> None:
        """Recover into a new directory while the live instance serves, then swap it in. A
        failure before the swap leaves the previous data as it was (the project ACTIVE_HEALTHY
        again, the failure in its report)."""
        into = self.instances.recovery_dir(ref)
        try:
            try:
                recovered = recovery.recover(self.instances.store(ref), target, into)
                recovery.crash_point("recovered")  # tests: killed after the recovery, before its swap
                self.instances.swap_in(ref, into)
                recovery.crash_point("swapped")  # tests: killed after the swap, before the report
            except Exception as exc:
                recovery.discard(into)
                if self._stop.is_set():  # close() stopped the recovery: the instances stop too
                    self._record(ref, kind, label, _interrupted(kind, label, UNCHANGED))
                else:
                    logger.exception("%s of project %s to %s failed", kind, ref, label)
                    self.instances.running(ref)
                    self._record(ref, kind, label, {"restored_to": label, "failed": str(exc)[:500]})
            else:
                after = _manifest_or_why(self.instances, ref)
                unavailable = before.get("report_unavailable") or after.get("report_unavailable")
                report = {"report_unavailable": unavailable} if unavailable else compare(before, after)
                report["restored_to"] = label
                report["seconds"] = round(recovered.seconds, 3)
                self._record(ref, kind, label, report)
                logger.info("%s of project %s to %s reverted: %s", kind, ref, label, report)
            self._set_status(ref, catalog.RESTORING, then=catalog.ACTIVE_HEALTHY, after_seconds=self._status_delay / 2)
        except Exception:
            logger.exception("restoring project %s failed", ref)
            # Whatever failed after the data was settled (a report, a status write): a project
            # whose instance answers is usable, never left in a state nothing leaves.
            try:
                self.instances.running(ref)
                self._set_status(ref, catalog.ACTIVE_HEALTHY)
            except Exception:
                self._set_status(ref, "RESTORE_FAILED")
        finally:
            with self._guard:
                self._busy.discard(ref)

    def _record(self, ref: str, kind: str, label: str, report: dict[str, Any]) -> None:
        """The restore's report; it is no longer under way."""
        with self._connect() as conn, conn.transaction():
            conn.execute(
                "insert into undo_reports (ref, kind, target, report) values (%s, %s, %s, %s)",
                (ref, kind, label, Jsonb(report)),
            )
            conn.execute("delete from restores_under_way where ref = %s", (ref,))

    def _update(self, point_id: int, **fields: Any) -> None:
        assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in fields)
        with self._connect() as conn:
            conn.execute(
                sql.SQL("update restore_points set {} where id = %s").format(assignments),
                (*fields.values(), point_id),
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


def _interrupted(kind: str, label: str, state: str) -> dict[str, Any]:
    """The report of a restore a stop of the local API cut short; ``state``: the data it left."""
    why = f"interrupted: the local API stopped during the {kind}"
    return {"restored_to": label, "failed": why, "interrupted": True, "state": state}


def _stop_recovery(into: Path) -> None:
    """Stop the postmaster replaying WAL into ``into`` (not yet finished: no completion marker;
    a finished one is being swapped in, which is let finish)."""
    if into.exists() and recovery.read_marker(into) is None and postmaster_pid(into) is not None:
        with contextlib.suppress(recovery.RecoveryError):
            stop(into, mode="immediate")


def _manifest_or_why(instances: Any, ref: str) -> dict[str, Any]:
    """The before/after census, or why there is none: it counts every table as the tenant, and
    the tenant decides what it may count (a table it revoked from itself, a lock, a table too
    big for the timeout). The restore goes ahead without a report rather than fail on it."""
    try:
        return manifest(instances, ref)
    except psycopg.Error as exc:
        logger.warning("no restore report for %s: %s", ref, exc)
        return {"report_unavailable": str(exc).strip()[:300]}
