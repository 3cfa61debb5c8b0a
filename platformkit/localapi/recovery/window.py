"""What a store can recover to (the PITR window), and retention pruning."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .binaries import controldata, parse_lsn
from .durable import fsync_dir
from .store import Backup, BackupStore


@dataclass(frozen=True)
class Window:
    """Times a recovery can target: from the end of the oldest base backup to the newest archived WAL.

    ``latest`` is when the newest WAL file reached the archive; every commit up to it is
    restorable (after a :func:`~.points.seal`, that is the seal's time).
    """

    earliest: datetime
    latest: datetime


@dataclass(frozen=True)
class Pruned:
    backups: list[str]  # ids removed
    wal_files: int


def window(store: BackupStore) -> Window | None:
    """The PITR window, or None while the store has no base backup."""
    backups = store.backups()
    if not backups:
        return None
    earliest = backups[0].end_time
    newest_file = max((path.stat().st_mtime for path in store.wal_segments()), default=0.0)
    latest = max(datetime.fromtimestamp(newest_file, UTC), backups[-1].end_time)
    return Window(earliest=earliest, latest=latest)


def prune(store: BackupStore, keep: timedelta, *, now: datetime | None = None) -> Pruned:
    """Drop backups and WAL no longer needed to recover to any time in the last ``keep``.

    Kept: every backup that ended inside the period, the newest one that ended before it
    (so the period's first second stays restorable), and whatever those build on; the
    newest backup always. WAL older than the oldest kept backup's start goes; timeline
    history files stay (they are tiny and later recoveries choose timeline IDs from them).
    """
    cutoff = (now or datetime.now(UTC)) - keep
    removed: list[str] = []
    with store.editing() as catalog:
        backups = sorted(catalog.backups, key=lambda b: b.end_time)
        if not backups:
            return Pruned([], 0)
        inside = [b for b in backups if b.end_time >= cutoff]
        before = [b for b in backups if b.end_time < cutoff]
        wanted = inside + before[-1:]
        keep_ids: set[str] = set()
        by_id = {b.id: b for b in backups}
        for backup in wanted:
            current: Backup | None = backup
            while current is not None and current.id not in keep_ids:
                keep_ids.add(current.id)
                current = by_id.get(current.parent) if current.parent else None
        removed = [b.id for b in backups if b.id not in keep_ids]
        catalog.backups = [b for b in backups if b.id in keep_ids]
        oldest = min(catalog.backups, key=lambda b: parse_lsn(b.start_lsn))
    # Deleted after the catalog no longer names them: a crash leaves orphans, never dangling entries.
    listed = {b.id for b in catalog.backups}
    for entry in os.listdir(store.base_dir):
        if not entry.endswith(".partial") and entry not in listed:
            shutil.rmtree(store.base_dir / entry, ignore_errors=True)
            if entry not in removed:
                removed.append(entry)
    segment_size = int(controldata(store.backup_path(oldest))["Bytes per WAL segment"])
    keep_from = parse_lsn(oldest.start_lsn)
    wal_removed = 0
    for path in store.wal_segments():
        log, seg = int(path.name[8:16], 16), int(path.name[16:24], 16)
        segment_end = (log << 32) + (seg + 1) * segment_size
        if segment_end <= keep_from:
            path.unlink()
            wal_removed += 1
    for path in store.wal_dir.glob("*.backup"):
        if path.name[8:24] < f"{keep_from >> 32:08X}{(keep_from & 0xFFFFFFFF) // segment_size:08X}":
            path.unlink()
    fsync_dir(store.wal_dir)
    return Pruned(backups=removed, wal_files=wal_removed)
