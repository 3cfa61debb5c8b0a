"""Replacing a live data directory by a recovered one, crash-safe, and finishing a half-done swap.

The swap is two renames in one parent directory, bracketed by a journal file beside them
(``.<live name>.swap.json``, written with fsync + rename)::

    journal "begun"   ->  live -> <live>.replaced-<id>  ->  recovered -> live
    -> publish (new timeline's history into the WAL archive, timeline into the catalog)
    -> journal "committed"  ->  remove the marker, <live>.replaced-<id>, then the journal

A process killed at any moment leaves the journal; :func:`reconcile` reads it and rolls
forward (the recovered directory was complete, with its marker, before the journal was
written), so the result is always either the old directory untouched (killed before the
journal) or the new one complete. Nothing but the journal's presence is trusted: each step
checks what is on disk, so reconcile can itself be killed and run again.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from .binaries import RecoveryError, adopt
from .durable import fsync_dir, read_json, rename, write_bytes, write_json
from .postmaster import postmaster_pid
from .recover import MARKER, history_file, read_marker
from .store import BackupStore, Timeline

CRASH_ENV = "PLATFORMKIT_RECOVERY_CRASH_AT"  # tests: SIGKILL ourselves at a named step


class Outcome(StrEnum):
    NOTHING = "nothing"  # no swap was under way
    COMPLETED = "completed"  # the recovered directory is live
    ROLLED_BACK = "rolled_back"  # the old directory is live again (the recovered one was lost)


def journal_path(live_dir: Path | str) -> Path:
    live = Path(live_dir).absolute()
    return live.parent / f".{live.name}.swap.json"


def swap(live_dir: Path | str, recovered_dir: Path | str) -> Outcome:
    """Make ``recovered_dir`` (a finished :func:`recover`) the data directory at ``live_dir``.

    Both servers must be stopped, and both directories on one file system. The replaced
    directory is deleted once the swap is committed. ``live_dir`` may be absent (a project
    whose data directory was lost): then the recovered one just moves into place.
    """
    live, recovered = Path(live_dir).absolute(), Path(recovered_dir).absolute()
    if journal_path(live).exists():
        raise RecoveryError(f"a swap of {live} is already under way: reconcile() it first")
    marker = read_marker(recovered)
    if marker is None:
        raise RecoveryError(f"{recovered} is not a finished recovery (no {MARKER})")
    if live.parent != recovered.parent:
        raise RecoveryError("the live and recovered directories must be in the same directory (atomic renames)")
    for path in (live, recovered):
        if postmaster_pid(path) is not None:
            raise RecoveryError(f"a server is running on {path}: stop it before the swap")
    journal = {
        "id": marker["id"],
        "live": str(live),
        "recovered": str(recovered),
        "replaced": str(live.parent / f"{live.name}.replaced-{marker['id']}"),
        "state": "begun",
        "begun_at": datetime.now(UTC).isoformat(),
    }
    write_json(journal_path(live), journal)
    crash_point("journal-written")
    return _roll_forward(live, journal)


def reconcile(live_dir: Path | str) -> Outcome:
    """Finish (or, if the recovered directory is gone, roll back) an interrupted swap of ``live_dir``.

    Call it at start-up for every data directory, before starting its server. Idempotent.
    """
    live = Path(live_dir).absolute()
    path = journal_path(live)
    if not path.exists():
        return Outcome.NOTHING
    try:
        journal = read_json(path)
    except ValueError:
        # A journal is written by rename: an unreadable one cannot exist; refuse to guess.
        raise RecoveryError(f"unreadable swap journal {path}") from None
    return _roll_forward(live, journal)


def _roll_forward(live: Path, journal: dict[str, Any]) -> Outcome:
    recovered, replaced = Path(journal["recovered"]), Path(journal["replaced"])
    if journal["state"] == "begun":
        new_in_place = _holds(live, journal["id"])
        if not new_in_place and not _holds(recovered, journal["id"]):
            # The recovered copy is gone (removed by hand): put the old directory back.
            if not live.exists() and replaced.exists():
                rename(replaced, live)
            path = journal_path(live)
            path.unlink()
            fsync_dir(path.parent)
            return Outcome.ROLLED_BACK
        if not new_in_place:
            if live.exists():
                rename(live, replaced)
                crash_point("live-moved-aside")
            rename(recovered, live)
            crash_point("recovered-moved-in")
        _publish(live)
        crash_point("published")
        journal = {**journal, "state": "committed"}
        write_json(journal_path(live), journal)
        crash_point("committed")
    if (live / MARKER).exists():
        (live / MARKER).unlink()
        fsync_dir(live)
    if replaced.exists():
        shutil.rmtree(replaced)
        fsync_dir(replaced.parent)
    path = journal_path(live)
    path.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return Outcome.COMPLETED


def _holds(path: Path, recovery_id: str) -> bool:
    try:
        marker = read_marker(path)
    except (OSError, ValueError):
        return False
    return marker is not None and marker.get("id") == recovery_id


def _publish(live: Path) -> None:
    """Archive the new timeline's history file and register the timeline in the catalog.

    Only now, with the recovered directory live: a history file in the archive makes later
    recoveries (``recovery_target_timeline``) and timeline-ID choices see the timeline, which
    must not happen for a recovery that was abandoned. Idempotent; the marker (which says
    which directory is the new one) is removed only after the journal says "committed".
    """
    marker = read_marker(live)
    if marker is None:
        raise RecoveryError(f"{live} lost its recovery marker before the swap was committed")
    store = BackupStore(str(marker["store"]))
    timeline = int(str(marker["timeline"]))
    source = history_file(live, timeline)
    target = store.wal_dir / source.name
    if not target.exists():
        write_bytes(target, source.read_bytes())
        adopt(target, store.wal_dir)
    with store.editing() as catalog:
        if all(t.timeline != timeline for t in catalog.timelines):
            catalog.timelines.append(
                Timeline(
                    timeline=timeline,
                    parent=int(str(marker["parent_timeline"])),
                    switch_lsn=str(marker["switch_lsn"]),
                    since=datetime.now(UTC),
                )
            )


def crash_point(step: str) -> None:
    """Fault injection for the crash tests: die by SIGKILL right after ``step`` when asked to."""
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), 9)
