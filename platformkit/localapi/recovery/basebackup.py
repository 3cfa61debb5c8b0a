"""Base backups of a running instance into its :class:`~.store.BackupStore`."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

from .binaries import RecoveryError, find_binary, run
from .durable import fsync_dir, rename
from .store import Backup, BackupStore


def take_base_backup(store: BackupStore, conninfo: str, *, incremental: bool = False) -> Backup:
    """``pg_basebackup`` (plain format, WAL streamed, fast checkpoint) into ``store``; catalogued.

    ``conninfo`` is a libpq connection string of a role with REPLICATION (the local API's
    superuser), allowed a replication connection by the instance's pg_hba.conf.

    With ``incremental=True`` the backup is taken against the newest catalogued backup of the
    same system on the same timeline (``--incremental=<its backup_manifest>``, which needs
    ``summarize_wal=on``); when there is none, or the server lacks the WAL summaries (after a
    swap onto a new timeline), a full backup is taken instead: check ``Backup.kind``.

    The backup is written into ``base/<id>.partial`` and renamed once complete, then added to
    the catalog: a crash leaves at most a ``.partial`` directory, which :func:`prune` removes.
    """
    store.ensure()
    for stale in store.base_dir.glob("*.partial"):
        shutil.rmtree(stale, ignore_errors=True)
    start = datetime.now(UTC)
    backup_id = start.strftime("%Y%m%dT%H%M%S%fZ")
    partial = store.base_dir / f"{backup_id}.partial"
    parent = _incremental_parent(store) if incremental else None
    args = [
        find_binary("pg_basebackup"),
        "-d",
        conninfo,
        "-D",
        str(partial),
        "-Fp",
        "-X",
        "stream",
        "-c",
        "fast",
        "--no-password",
    ]
    if parent is not None:
        args.append(f"--incremental={store.backup_path(parent) / 'backup_manifest'}")
    try:
        run(args, as_owner_of=store.base_dir)
    except RecoveryError as error:
        shutil.rmtree(partial, ignore_errors=True)
        if parent is None or "WAL summar" not in str(error):
            raise
        return take_base_backup(store, conninfo, incremental=False)
    end = datetime.now(UTC)
    manifest = json.loads((partial / "backup_manifest").read_text())
    ranges = manifest["WAL-Ranges"]
    final = store.backup_path(backup_id)
    backup = Backup(
        id=backup_id,
        kind="incremental" if parent is not None else "full",
        parent=parent.id if parent is not None else None,
        timeline=int(ranges[-1]["Timeline"]),
        start_lsn=ranges[0]["Start-LSN"],
        end_lsn=ranges[-1]["End-LSN"],
        start_time=start,
        end_time=end,
        system_identifier=str(manifest.get("System-Identifier", "")),
        size_bytes=sum(f["Size"] for f in manifest["Files"]),
    )
    rename(partial, final)
    fsync_dir(store.base_dir)
    with store.editing() as catalog:
        catalog.backups.append(backup)
    return backup


def _incremental_parent(store: BackupStore) -> Backup | None:
    backups = store.backups()
    if not backups:
        return None
    newest = backups[-1]
    if not (store.backup_path(newest) / "backup_manifest").exists():
        return None
    return newest
