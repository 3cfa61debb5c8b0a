"""The physical recovery engine against real PostgreSQL 18 instances: what a user would see
after an undo, a PITR, two recoveries in a row, an incremental backup, a clone."""

from __future__ import annotations

import time
from datetime import timedelta

from platformkit.localapi.recovery import (
    LATEST,
    Outcome,
    clone,
    create_restore_point,
    prune,
    recover,
    seal,
    swap,
    take_base_backup,
    window,
)
from platformkit.localapi.recovery.postmaster import free_port, start, stop


def undo(instance, target) -> None:
    """Recover beside the live directory while it serves, then stop, swap, start."""
    into = instance.data_dir.with_name("recovered")
    result = recover(instance.store, target, into)
    instance.stop()
    assert swap(instance.data_dir, into) is Outcome.COMPLETED
    instance.start()
    return result


def test_restore_point_round_trip(make_instance):
    live = make_instance()
    take_base_backup(live.store, live.conninfo)
    live.insert("kept")
    with live.connect() as conn:
        point = create_restore_point(conn, "before-migration")
    live.insert("dropped")

    result = undo(live, point)

    assert live.rows() == ["kept"]
    assert result.timeline == point.timeline + 1
    assert not live.data_dir.with_name("recovered").exists()
    live.insert("after undo")  # a primary again, writable
    assert live.rows() == ["kept", "after undo"]


def test_pitr_keeps_a_row_2s_before_the_target_and_drops_one_2s_after(make_instance):
    live = make_instance()
    take_base_backup(live.store, live.conninfo)
    live.insert("two seconds before")
    time.sleep(2)
    with live.connect() as conn:
        target = conn.execute("select clock_timestamp()").fetchone()[0]
    time.sleep(2)
    live.insert("two seconds after")
    with live.connect() as conn:
        seal(conn)

    undo(live, target)

    assert live.rows() == ["two seconds before"]


def test_recover_twice_in_a_row_and_a_time_before_the_first_undo(make_instance):
    live = make_instance()
    take_base_backup(live.store, live.conninfo)
    live.insert("a")
    with live.connect() as conn:
        first = create_restore_point(conn, "first")
    live.insert("b")
    with live.connect() as conn:
        after_b = conn.execute("select clock_timestamp()").fetchone()[0]
    time.sleep(0.05)

    undo(live, first)
    assert live.rows() == ["a"]
    live.insert("c")
    with live.connect() as conn:
        second = create_restore_point(conn, "second")
    live.insert("d")

    undo(live, second)
    assert live.rows() == ["a", "c"]

    # A time before the first undo recovers along the timeline that was live then: b is back.
    with live.connect() as conn:
        seal(conn)
    undo(live, after_b)
    assert live.rows() == ["a", "b"]


def test_incremental_backup_is_combined_at_restore(make_instance):
    live = make_instance()
    full = take_base_backup(live.store, live.conninfo)
    live.insert("in the full backup's WAL")
    with live.connect() as conn:
        conn.execute("insert into t (v) select 'bulk' from generate_series(1, 1000)")
    incremental = take_base_backup(live.store, live.conninfo, incremental=True)
    assert (incremental.kind, incremental.parent) == ("incremental", full.id)
    live.insert("after the incremental")
    with live.connect() as conn:
        point = create_restore_point(conn, "p")
    live.insert("dropped")

    result = undo(live, point)

    assert result.backup == incremental.id
    rows = live.rows()
    assert rows[0] == "in the full backup's WAL" and rows[-1] == "after the incremental"
    assert len(rows) == 1002


def test_window_and_retention(make_instance):
    live = make_instance()
    assert window(live.store) is None
    first = take_base_backup(live.store, live.conninfo)
    live.insert("x")
    with live.connect() as conn:
        sealed = seal(conn)
    second = take_base_backup(live.store, live.conninfo)
    shown = window(live.store)
    assert shown is not None
    assert shown.earliest == first.end_time
    assert shown.latest >= sealed.time

    pruned = prune(live.store, timedelta(0))

    assert pruned.backups == [first.id] and pruned.wal_files >= 1
    assert [b.id for b in live.store.backups()] == [second.id]
    assert window(live.store).earliest == second.end_time
    # What is left still recovers.
    live.insert("y")
    with live.connect() as conn:
        seal(conn)
    undo(live, LATEST)
    assert live.rows() == ["x", "y"]


def test_clone_is_an_independent_primary(make_instance):
    source = make_instance()
    source.insert("shared")
    copy = clone(source.conninfo, source.data_dir.with_name("branch"))
    port = free_port()
    start(copy, port=port, socket_dir=source.socket_dir)
    try:
        import psycopg

        with psycopg.connect(f"host={source.socket_dir} port={port} user=postgres", autocommit=True) as conn:
            assert conn.execute("select pg_is_in_recovery()").fetchone()[0] is False
            assert conn.execute("show archive_mode").fetchone()[0] == "off"
            conn.execute("insert into t (v) values ('branch only')")
            source.insert("source only")
            assert [r[0] for r in conn.execute("select v from t order by id")] == ["shared", "branch only"]
        assert source.rows() == ["shared", "source only"]
    finally:
        stop(copy)


def test_a_tenant_check_function_never_runs_during_recovery(make_instance):
    live = make_instance()
    with live.connect() as conn:
        conn.execute("create role tenant login nosuperuser")
        conn.execute("grant create on schema public to tenant")
    with live.connect(user="tenant") as conn:
        # Tries to make its owner a superuser whenever it is evaluated by one (a COPY in a restore).
        conn.execute(
            """create function public.escalate(v int) returns boolean language plpgsql as $$
               begin
                 begin execute 'alter role tenant superuser'; exception when others then null; end;
                 return true;
               end $$"""
        )
        conn.execute("create table public.guarded (id bigserial primary key, v int check (public.escalate(v)))")
        conn.execute("insert into public.guarded (v) values (1)")
    take_base_backup(live.store, live.conninfo)
    with live.connect() as conn:
        point = create_restore_point(conn, "p")
    into = live.data_dir.with_name("recovered")
    recover(live.store, point, into)

    # The function is a real threat: evaluated by a superuser, it escalates the tenant.
    with live.connect() as conn:
        conn.execute("insert into public.guarded (v) values (2)")
        assert conn.execute("select rolsuper from pg_roles where rolname = 'tenant'").fetchone()[0] is True
    live.stop()
    swap(live.data_dir, into)
    live.start()

    with live.connect() as conn:
        assert conn.execute("select rolsuper from pg_roles where rolname = 'tenant'").fetchone()[0] is False
        assert conn.execute("select count(*) from public.guarded").fetchone()[0] == 1
