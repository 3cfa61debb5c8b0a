"""Undo and PITR of a ~100 MB database, as a ratio to a plain ``pg_basebackup`` of it (one run).

Standalone (`python -m bench.recovery`): one real PostgreSQL 18 instance in a temp dir, archiving
into its own store. Undo = recover to a restore point + stop + swap + start; PITR = seal + recover
to a time + stop + swap + start. Also: a full vs an incremental base backup, and an undo from
the incremental chain (pg_combinebackup of full + incremental).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from platformkit.localapi.recovery import (
    BackupStore,
    configure_archiving,
    create_restore_point,
    find_binary,
    recover,
    seal,
    swap,
    take_base_backup,
)
from platformkit.localapi.recovery.binaries import run
from platformkit.localapi.recovery.postmaster import free_port, start, stop

ROWS = 1_000_000  # ~100 MB of heap + index


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam("embedded_postgres")
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _timed(action) -> float:  # type: ignore[no-untyped-def]
    began = time.monotonic()
    action()
    return time.monotonic() - began


def run_bench() -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix="pkrec-bench-"))
    home.chmod(0o755)
    _own(home)
    live, sockets, store = home / "live", home / "s", BackupStore(home / "store")
    try:
        live.mkdir(mode=0o700)
        sockets.mkdir()
        for path in (live, sockets):
            _own(path)
        run([find_binary("initdb"), "-D", str(live), "-U", "postgres", "--auth=trust", "-E", "UTF8"], as_owner_of=live)
        configure_archiving(live, store)
        port = free_port()
        conninfo = f"host={sockets} port={port} user=postgres dbname=postgres"
        start(live, port=port, socket_dir=sockets)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(
                "create table t as select g as id, md5(g::text) as a, md5((g * 7)::text) as b"
                f" from generate_series(1, {ROWS}) g"
            )
            conn.execute("alter table t add primary key (id)")
            conn.execute("checkpoint")
            size = conn.execute("select pg_database_size('postgres')").fetchone()[0]

        plain = home / "plain"
        baseline = _timed(
            lambda: subprocess.run(
                ["runuser", "-u", "embedded_postgres", "--"] * (os.geteuid() == 0)
                + [find_binary("pg_basebackup"), "-d", conninfo, "-D", str(plain), "-Fp", "-X", "stream", "-c", "fast"],
                check=True,
            )
        )
        shutil.rmtree(plain)
        full = _timed(lambda: take_base_backup(store, conninfo))

        def undo(target_of) -> float:  # type: ignore[no-untyped-def]
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute("update t set a = 'changed' where id <= 1000")
                target = target_of(conn)
                conn.execute("delete from t where id <= 50000")

            def act() -> None:
                into = home / "recovered"
                if not hasattr(target, "lsn"):
                    with psycopg.connect(conninfo, autocommit=True) as conn:
                        seal(conn)
                recover(store, target, into)
                stop(live)
                swap(live, into)
                start(live, port=port, socket_dir=sockets)

            seconds = _timed(act)
            with psycopg.connect(conninfo, autocommit=True) as conn:
                assert conn.execute("select count(*) from t").fetchone()[0] == ROWS
            return seconds

        undo_s = undo(lambda conn: create_restore_point(conn, "bench"))
        pitr_s = undo(lambda conn: (time.sleep(1.1), conn.execute("select clock_timestamp()").fetchone()[0])[1])
        # The swaps moved onto a new timeline: a fresh full backup, then an incremental on top.
        take_base_backup(store, conninfo)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("update t set b = 'x' where id <= 20000")
        incremental = _timed(lambda: take_base_backup(store, conninfo, incremental=True))
        kinds = [b.kind for b in store.backups()]
        undo_incr_s = undo(lambda conn: create_restore_point(conn, "bench-incr"))
        stop(live)
        return {
            "database MB": size / 1e6,
            "plain pg_basebackup s": baseline,
            "full base backup s": full,
            "incremental base backup s": incremental,
            "last backup kind is incremental": float(kinds[-1] == "incremental"),
            "undo s": undo_s,
            "PITR s": pitr_s,
            "undo from incremental chain s": undo_incr_s,
            "undo / pg_basebackup": undo_s / baseline,
            "PITR / pg_basebackup": pitr_s / baseline,
            "incremental / full backup": incremental / full,
            "undo from chain / undo from full": undo_incr_s / undo_s,
        }
    finally:
        for path in home.iterdir():
            if (path / "postmaster.pid").exists():
                stop(path, mode="immediate")
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    print("Recovery: undo and PITR of a ~100 MB database")
    for key, value in run_bench().items():
        print(f"  {key:36} {value:8.2f}")


if __name__ == "__main__":
    main()
