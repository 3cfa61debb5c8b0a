"""Named restore points, and sealing the WAL before a recovery, on a running instance."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .binaries import RecoveryError

ARCHIVE_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class RestorePoint:
    """Where a named point is in WAL: recover to it with ``recover(store, point, into)``."""

    name: str
    lsn: str  # pg_create_restore_point's result: the end of the point's WAL record
    time: datetime
    timeline: int


@dataclass(frozen=True)
class Seal:
    """Every commit before ``time`` (and ``lsn``) is in the WAL archive."""

    lsn: str
    time: datetime
    timeline: int


def create_restore_point(conn: Any, name: str) -> RestorePoint:
    """``pg_create_restore_point(name)``, then a WAL switch so the point is archived; waits for it.

    ``conn`` is a psycopg connection in autocommit mode, as a superuser (the function needs
    it). Returns once the segment holding the point is in the archive, so a recovery to the
    point can start at once; RecoveryError if archiving does not get there in time.
    """
    _require_autocommit(conn)
    row = conn.execute(
        "select pg_create_restore_point(%s)::text, clock_timestamp(), pg_walfile_name(pg_current_wal_lsn())", (name,)
    ).fetchone()
    lsn, at, current_file = row
    _switch_and_wait(conn, current_file)
    return RestorePoint(name=name, lsn=lsn, time=at, timeline=int(current_file[:8], 16))


def seal(conn: Any) -> Seal:
    """Make every commit so far restorable: a commit record now, a WAL switch, wait for archiving.

    Call it on the live instance just before recovering it to a time: recovery to a time
    stops at the first commit after the target, and this guarantees one exists (its own).
    """
    _require_autocommit(conn)
    with conn.transaction():
        # An xid makes the commit write a commit record (timestamped now) to stop at.
        conn.execute("select pg_current_xact_id()")
    lsn, at, current_file = conn.execute(
        "select pg_current_wal_lsn()::text, clock_timestamp(), pg_walfile_name(pg_current_wal_lsn())"
    ).fetchone()
    _switch_and_wait(conn, current_file)
    return Seal(lsn=lsn, time=at, timeline=int(current_file[:8], 16))


def _require_autocommit(conn: Any) -> None:
    if not conn.autocommit:
        # pg_stat_archiver is read in a loop; inside one transaction it would never change.
        raise ValueError("create_restore_point/seal need a connection in autocommit mode")


def _switch_and_wait(conn: Any, segment: str, timeout: float = ARCHIVE_WAIT_SECONDS) -> None:
    conn.execute("select pg_switch_wal()")
    deadline = time.monotonic() + timeout
    while True:
        conn.execute("select pg_stat_clear_snapshot()")
        archived, failed = conn.execute(
            "select coalesce(last_archived_wal, ''), coalesce(last_failed_wal, '') from pg_stat_archiver"
        ).fetchone()
        if archived[:24] >= segment:
            return
        if time.monotonic() > deadline:
            raise RecoveryError(
                f"WAL segment {segment} was not archived within {timeout:.0f} s (last archived: "
                f"{archived or 'none'}, last failed: {failed or 'none'}); is archiving configured?"
            )
        time.sleep(0.02)
