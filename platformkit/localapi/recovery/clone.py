"""A physical clone of a running instance: an independent primary with the same data (branches)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .archiving import without_archiving, write_auto_conf
from .binaries import RecoveryError, adopt, find_binary, run
from .durable import fsync_dir, rename


def clone(conninfo: str, into: Path | str, *, owner_like: Path | str | None = None, port: int | None = None) -> Path:
    """``pg_basebackup -X stream`` of the instance at ``conninfo`` into the new directory ``into``.

    The copy is consistent on its own (the WAL it needs is streamed into it), starts as a
    primary on the source's timeline (no standby.signal, no primary_conninfo) and archives
    nowhere until the caller runs ``configure_archiving(into, <its own store>)``: it must
    never archive into the source's WAL archive. With ``port`` its postgresql.auto.conf says
    which port it listens on. Built in ``.<name>.cloning`` and renamed into place when done,
    so ``into`` either does not exist or is complete. Like any physical copy, no SQL and no
    tenant code runs to make it. Files belong to ``owner_like``'s owner (default:
    ``into``'s parent) when we run as root.
    """
    into = Path(into).absolute()
    if into.exists():
        raise RecoveryError(f"{into} already exists")
    building = into.parent / f".{into.name}.cloning"
    if building.exists():
        shutil.rmtree(building)
    building.mkdir(mode=0o700)
    adopt(building, owner_like or into.parent)
    try:
        run(
            [find_binary("pg_basebackup"), "-d", conninfo, "-D", str(building), "-Fp", "-X", "stream", "-c", "fast"],
            as_owner_of=building,
        )
        for leftover in ("standby.signal", "recovery.signal", "backup_manifest"):
            (building / leftover).unlink(missing_ok=True)
        without_archiving(building)
        if port is not None:
            write_auto_conf(building, {"port": str(port)})
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    rename(building, into)
    fsync_dir(into.parent)
    return into
