"""Recovering a new data directory from a store: base backup (+ incrementals) + archived WAL."""

from __future__ import annotations

import shlex
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from .binaries import RecoveryError, adopt, controldata, find_binary, format_lsn, parse_lsn, popen, run
from .durable import fsync_dir, read_json, write_bytes, write_json
from .points import RestorePoint
from .postmaster import free_port, postmaster_pid, postmaster_status, stop
from .store import Backup, BackupStore

LATEST: Literal["latest"] = "latest"
Target = RestorePoint | datetime | Literal["latest"]

# Written last into a recovered data directory; swap() accepts only directories that have it.
MARKER = "platformkit_recovered.json"
RECOVERY_TIMEOUT_SECONDS = 600.0
_ENDED_EARLY = "recovery ended before configured recovery target was reached"


@dataclass(frozen=True)
class Recovered:
    """A finished recovery: a stopped, consistent, promoted data directory at ``data_dir``."""

    data_dir: Path
    id: str
    backup: str  # the catalogued backup (last of its chain) it started from
    timeline: int  # the new timeline it was promoted onto
    parent_timeline: int
    switch_lsn: str  # where the new timeline branched off
    target: str  # what was asked, for logs: "point <name> at <lsn>", "time <iso>", "latest"
    seconds: float


def recover(
    store: BackupStore, target: Target, into: Path | str, *, timeout: float = RECOVERY_TIMEOUT_SECONDS
) -> Recovered:
    """Recover ``store``'s instance as it was at ``target`` into the new directory ``into``.

    Picks the newest base backup that ends before the target on the target's timeline path,
    rebuilds it (pg_combinebackup, which also folds in incrementals), and replays archived
    WAL on a private postmaster (Unix socket in a fresh temp dir, no TCP, ``hot_standby=off``:
    nothing can connect) until the target, where it promotes; then stops it cleanly and
    writes the completion marker. ``into`` must not exist (a leftover from an interrupted
    recovery, without the marker, is discarded first). The live instance is never touched.
    """
    started = time.monotonic()
    into = Path(into).absolute()
    if into.exists():
        if (into / MARKER).exists():
            raise RecoveryError(f"{into} already holds a finished recovery: swap() or discard() it first")
        discard(into)
    timeline = target_timeline(store, target)
    backup = choose_backup(store, target, timeline)
    chain = store.chain(backup)
    into.mkdir(mode=0o700)
    adopt(into, store.base_dir)
    run(
        [find_binary("pg_combinebackup"), "-o", str(into), *[str(store.backup_path(b)) for b in chain]],
        as_owner_of=store.base_dir,
    )
    for leftover in ("standby.signal", "postmaster.pid", MARKER):
        (into / leftover).unlink(missing_ok=True)
    signal = into / "recovery.signal"
    write_bytes(signal, b"")
    adopt(signal, into)

    settings = {
        "restore_command": f"cp {shlex.quote(str(store.wal_dir))}/%f %p",
        "recovery_target_timeline": str(timeline),
        "recovery_target_action": "promote",
    }
    settings.update(target_settings(target))
    ended_early = _replay(into, settings, timeout)
    if ended_early and isinstance(target, datetime):
        # Every archived commit is at or before the target: the end of the archive is the answer.
        for key in ("recovery_target_time", "recovery_target_inclusive"):
            settings.pop(key)
        ended_early = _replay(into, settings, timeout)
    if ended_early:
        raise RecoveryError(f"the WAL archive ends before {describe(target)}: nothing to recover to")

    control = controldata(into)
    if control.get("Database cluster state") != "shut down":
        raise RecoveryError(f"recovered copy did not shut down cleanly: {control.get('Database cluster state')}")
    new_timeline = int(control["Latest checkpoint's TimeLineID"])
    parent_timeline, switch_lsn = _branch_point(into, new_timeline)
    recovered = Recovered(
        data_dir=into,
        id=uuid.uuid4().hex,
        backup=backup.id,
        timeline=new_timeline,
        parent_timeline=parent_timeline,
        switch_lsn=switch_lsn,
        target=describe(target),
        seconds=time.monotonic() - started,
    )
    write_json(
        into / MARKER,
        {
            "id": recovered.id,
            "store": str(store.root),
            "backup": recovered.backup,
            "timeline": recovered.timeline,
            "parent_timeline": recovered.parent_timeline,
            "switch_lsn": recovered.switch_lsn,
            "target": recovered.target,
            "recovered_at": datetime.now(UTC).isoformat(),
        },
    )
    adopt(into / MARKER, into)
    fsync_dir(into.parent)
    return recovered


def read_marker(data_dir: Path | str) -> dict[str, object] | None:
    """The completion marker of a recovered directory, or None."""
    path = Path(data_dir) / MARKER
    return read_json(path) if path.exists() else None


def discard(data_dir: Path | str) -> None:
    """Remove an unwanted (or half-recovered) directory, stopping a postmaster still running on it."""
    data_dir = Path(data_dir)
    if not data_dir.exists():
        return
    if postmaster_pid(data_dir) is not None:
        stop(data_dir, mode="immediate")
    for attempt in range(50):
        try:
            shutil.rmtree(data_dir)
            break
        except OSError:
            # A child of a killed recover() still writing for a moment (until its SIGKILL lands).
            if attempt == 49:
                raise
            time.sleep(0.1)
    fsync_dir(data_dir.parent)


def describe(target: Target) -> str:
    if isinstance(target, RestorePoint):
        return f"point {target.name!r} at {target.lsn}"
    if isinstance(target, datetime):
        return f"time {target.isoformat()}"
    return "latest"


def target_settings(target: Target) -> dict[str, str]:
    """The ``recovery_target_*`` settings for ``target``.

    A restore point is recovered by its LSN, stopping just before the first record after the
    point's own: exact even when a name was used twice (``recovery_target_name`` stops at the
    first point of that name). A time keeps every transaction that committed at or before it
    (``recovery_target_inclusive=on``), to the microsecond: a target of 12:00:05 drops a commit
    at 12:00:05.3, so a caller meaning "the end of that second" passes 12:00:05.999999.
    """
    if isinstance(target, RestorePoint):
        return {"recovery_target_lsn": target.lsn, "recovery_target_inclusive": "off"}
    if isinstance(target, datetime):
        if target.tzinfo is None:
            raise ValueError("a recovery target time needs a time zone (a naive datetime is ambiguous)")
        return {
            "recovery_target_time": target.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00"),
            "recovery_target_inclusive": "on",
        }
    if target != LATEST:
        raise ValueError(f"unknown recovery target {target!r}")
    return {}


def target_timeline(store: BackupStore, target: Target) -> int:
    """The timeline the instance was writing on at ``target``.

    Swaps register the timelines they made live (with the time they did), so a time before
    a swap recovers along the timeline that was live then, not along the newest one.
    """
    if isinstance(target, RestorePoint):
        return target.timeline
    catalog = store.read()
    timelines = sorted(catalog.timelines, key=lambda t: t.since)
    if isinstance(target, datetime):
        timelines = [t for t in timelines if t.since <= target]
    if timelines:
        return timelines[-1].timeline
    if not catalog.backups:
        raise RecoveryError("the store has no base backup: nothing to recover from")
    return min(catalog.backups, key=lambda b: b.end_time).timeline


def on_timeline_path(store: BackupStore, backup: Backup, timeline: int) -> bool:
    """Whether replaying ``timeline``'s history from ``backup`` is possible."""
    if backup.timeline == timeline:
        return True
    for ancestor, ended_at in store.history(timeline):
        if ancestor == backup.timeline:
            return parse_lsn(backup.end_lsn) <= ended_at
    return False


def choose_backup(store: BackupStore, target: Target, timeline: int) -> Backup:
    """The newest catalogued backup that ends before ``target`` and leads to ``timeline``."""
    candidates = [b for b in store.backups() if on_timeline_path(store, b, timeline)]
    if isinstance(target, RestorePoint):
        candidates = [b for b in candidates if parse_lsn(b.end_lsn) <= parse_lsn(target.lsn)]
    elif isinstance(target, datetime):
        candidates = [b for b in candidates if b.end_time <= target]
    if not candidates:
        raise RecoveryError(f"no base backup ends before {describe(target)}: it is outside the recovery window")
    return max(candidates, key=lambda b: parse_lsn(b.end_lsn))


def _replay(data_dir: Path, settings: dict[str, str], timeout: float) -> bool:
    """Run the recovery postmaster until it promotes (then stop it) or exits; True if WAL ran out."""
    work = Path(tempfile.mkdtemp(prefix="pkrec-"))  # short: a Unix socket path has ~100 bytes
    adopt(work, data_dir)
    log = work / "recovery.log"
    args = [find_binary("postgres"), "-D", str(data_dir), "-p", str(free_port())]
    options = {
        "listen_addresses": "",
        "unix_socket_directories": str(work),
        "hot_standby": "off",  # no connection, not even ours, before it is promoted
        "archive_mode": "off",  # its WAL reaches the archive only once swap() makes it live
        "logging_collector": "off",
        **settings,
    }
    for key, value in options.items():
        args += ["-c", f"{key}={value}"]
    try:
        process = popen(args, as_owner_of=data_dir, log=log)
        deadline = time.monotonic() + timeout
        while True:
            code = process.poll()
            if code is not None:
                text = log.read_text(errors="replace")
                if _ENDED_EARLY in text:
                    return True
                tail = " | ".join(line for line in text.splitlines()[-6:])
                raise RecoveryError(f"recovery failed (postgres exited {code}): {tail}")
            if postmaster_status(data_dir) == "ready" and not (data_dir / "recovery.signal").exists():
                break
            if time.monotonic() > deadline:
                stop(data_dir, mode="immediate")
                raise RecoveryError(f"recovery did not finish within {timeout:.0f} s")
            time.sleep(0.02)
        stop(data_dir, mode="fast")
        process.wait(timeout=30)
        return False
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _branch_point(data_dir: Path, timeline: int) -> tuple[int, str]:
    history = data_dir / "pg_wal" / f"{timeline:08X}.history"
    if not history.exists():
        raise RecoveryError(f"recovered copy has no history file for its timeline {timeline}: it was not promoted")
    last = [line.split() for line in history.read_text().splitlines() if line.strip() and line[0].isdigit()][-1]
    return int(last[0]), format_lsn(parse_lsn(last[1]))


def history_file(data_dir: Path | str, timeline: int) -> Path:
    return Path(data_dir) / "pg_wal" / f"{timeline:08X}.history"


__all__ = ["LATEST", "MARKER", "Recovered", "Target", "discard", "read_marker", "recover"]
