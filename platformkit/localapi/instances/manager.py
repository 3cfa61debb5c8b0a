"""The instances of one local API: a directory per project or branch under ``root``
(``root/projects/<ref>``), made from the template, started on demand, stopped when idle.

Crash safety: a creation copies the template to ``pgdata.creating`` and renames it, and the
instance counts as made only once ``instance.json`` says ``ready`` (after the tenant's password
is set): :meth:`reconcile` reports the others, whose projects then end INIT_FAILED.

Backups: every instance archives its WAL into its own :class:`~..recovery.BackupStore`
(``<dir>/backups``, removed with the instance) from its first start, and gets a first base
backup once it is up (in the background): the restore point / PITR window starts there. A
recovery goes into ``<dir>/pgdata.recovering`` (beside the data dir: the swap renames) and is
swapped in by :meth:`swap_in`; :meth:`reconcile` finishes or rolls back a swap cut short.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from platformkit.localapi import processes, recovery
from platformkit.localapi.errors import Problem

from . import binaries, template
from .instance import Instance, free_port
from .pools import Pools, restarting
from .sizes import settings_for

logger = logging.getLogger("platformkit.localapi.instances")

# The one-cluster layout of earlier versions kept projects as databases ``project_<ref>``.
OLD_LAYOUT_MESSAGE = (
    "This data directory holds projects of the old layout (one database per project in one"
    " cluster); projects are now PostgreSQL instances of their own. Run `make clean` (or delete"
    " the data directory) to start afresh."
)


VERIFIER_FILE = "tenant.verifier"  # the tenant role's SCRAM verifier as the instance last stopped


class Instances:
    def __init__(
        self,
        root: Path,
        *,
        idle_stop_seconds: float = 0.0,
        query_timeout_seconds: float = 15.0,
        pool_size: int = 10,
        pool_wait_seconds: float = 5.0,
    ) -> None:
        self.root = root
        self.credentials = template.load_credentials(root)
        self.pools = Pools(timeout_seconds=query_timeout_seconds, max_size=pool_size, wait_seconds=pool_wait_seconds)
        self.idle_stop_seconds = idle_stop_seconds
        self._locks: dict[str, threading.RLock] = {}
        self._backup_locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()
        self._last_used: dict[str, float] = {}
        self._borrowed: dict[str, int] = {}
        # Refs whose server is being stopped: ``running`` must not hand one out as running (the
        # idle reaper decided while nobody borrowed it; a caller arriving a moment later waits for
        # the stop under the instance's lock and starts it again).
        self._stopping: set[str] = set()
        self._stop = threading.Event()
        self._template: Path | None = None
        self._reaper: threading.Thread | None = None
        # What reconcile found of swaps cut short, by ref (how an interrupted restore ended).
        self.swap_outcomes: dict[str, recovery.Outcome] = {}
        # Which servers this object started (or adopted from a dead predecessor), so closing it
        # stops those and not the servers of another local API over the same directory.
        # Which process started an instance: judged gone only on this host, in this PID namespace.
        self.owner = f"{processes.identity()}#{secrets.token_hex(4)}"
        if idle_stop_seconds > 0:
            self._reaper = threading.Thread(target=self._reap, name="localapi-instances-idle", daemon=True)
            self._reaper.start()

    # Where things are

    def instance(self, ref: str) -> Instance:
        return Instance(ref, self.root / "projects" / ref, self.credentials)

    def exists(self, ref: str) -> bool:
        return self.instance(ref).ready

    def refs(self) -> list[str]:
        folder = self.root / "projects"
        return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []

    def lock(self, ref: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(ref, threading.RLock())

    def template_dir(self) -> Path:
        if self._template is None or not self._template.exists():
            with self._guard:
                self._template = template.ensure_template(self.root, self.credentials)
        return self._template

    # Lifecycle

    def create(self, ref: str, db_pass: str, size: str) -> Instance:
        """A copy of the template, started, with ``db_pass`` as the tenant's password."""

        def copy(creating: Path) -> None:
            try:
                template.copy_template(self.template_dir(), creating)
            except subprocess.CalledProcessError:
                # The template was replaced under the copy (another server over this directory
                # rebuilt it, seen at a suite's start): once more, from the template as it is now.
                shutil.rmtree(creating, ignore_errors=True)
                self._template = None
                template.copy_template(self.template_dir(), creating)

        return self._create(ref, db_pass, size, copy)

    def create_clone(self, ref: str, parent: str, db_pass: str, size: str) -> Instance:
        """A physical clone of ``parent``'s running instance (a with-data branch): an independent
        primary with the parent's data, archiving into its own store, ``db_pass`` as the tenant's
        password. No SQL of the parent's runs to make it (pg_basebackup copies pages)."""

        def copy(creating: Path) -> None:
            with self.using(parent) as source:
                recovery.clone(self.replication_conninfo(source), creating, owner_like=creating.parent)

        return self._create(ref, db_pass, size, copy)

    def _create(self, ref: str, db_pass: str, size: str, lay_out: Callable[[Path], None]) -> Instance:
        """``lay_out`` fills ``pgdata.creating``; renamed into place, archiving set up, started,
        the tenant's password set, ``ready``; the first base backup follows in the background."""
        instance = self.instance(ref)
        with self.lock(ref):
            if instance.directory.exists():
                shutil.rmtree(instance.directory)
            instance.directory.mkdir(parents=True)
            binaries.give_to_server(instance.directory)
            creating = instance.directory / "pgdata.creating"
            lay_out(creating)
            os.rename(creating, instance.pgdata)
            instance.write_meta(port=free_port(), size=size, state="creating", paused=False)
            self._ensure_archiving(instance)
            self._start(instance, size)
            self._touch(ref)
            with psycopg.connect(instance.admin_conninfo(), autocommit=True) as conn:
                conn.execute(sql.SQL("alter role postgres password {}").format(sql.Literal(db_pass)))
            instance.write_meta(state="ready")
        self.in_background(f"first-backup-{ref}", self.base_backup, ref)
        return instance

    def drop(self, ref: str) -> None:
        instance = self.instance(ref)
        with self.lock(ref), self._replacing(ref):
            self.pools.close(ref)
            if instance.pgdata.is_dir():
                instance.stop()
            shutil.rmtree(instance.directory, ignore_errors=True)
            shutil.rmtree(instance.socket_dir, ignore_errors=True)  # when it is not inside (a long path)
        with self._guard:
            self._last_used.pop(ref, None)

    def pause(self, ref: str) -> None:
        """The instance stops and stays stopped (no request starts it) until :meth:`resume`."""
        with self.lock(ref):
            instance = self.instance(ref)
            instance.write_meta(paused=True)
            self._stop_instance(instance)

    def resume(self, ref: str) -> None:
        with self.lock(ref):
            instance = self.instance(ref)
            instance.write_meta(paused=False)
            self.running(ref)

    def resize(self, ref: str, size: str) -> None:
        """Restart with the settings of ``size`` (a paused instance just records it). The new
        size is recorded first, with ``resizing``: a stop cut short anywhere after that ends, at
        :meth:`reconcile`, running the new size (see there)."""
        with self.lock(ref):
            instance = self.instance(ref)
            instance.write_meta(size=size, resizing=True)
            if not instance.meta().get("paused"):
                self._stop_instance(instance)
                recovery.crash_point("resize-stopped")
                self._start(instance, size)
                self._touch(ref)
            instance.write_meta(resizing=False)

    # Backups and recovery

    def store(self, ref: str) -> recovery.BackupStore:
        """Where ``ref``'s base backups and archived WAL are (removed with the instance)."""
        return recovery.BackupStore(self.instance(ref).directory / "backups")

    def recovery_dir(self, ref: str) -> Path:
        """Where a recovery of ``ref`` is built: beside its data dir (the swap renames)."""
        return self.instance(ref).directory / "pgdata.recovering"

    def replication_conninfo(self, instance: Instance) -> str:
        """The superuser for pg_basebackup, its password in a passfile (command lines are
        visible to every user through ``ps``; the engine's programs get no PG* variables)."""
        passfile = self.root / "admin.pgpass"
        if not passfile.exists():
            temporary = passfile.with_suffix(".tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(f"*:*:*:supabase_admin:{self.credentials.admin_password}\n")
            binaries.give_to_server(temporary)
            os.replace(temporary, passfile)
        return psycopg.conninfo.make_conninfo(
            "",
            host=str(instance.socket_dir),
            port=instance.port,
            user="supabase_admin",
            dbname="postgres",
            passfile=str(passfile),
        )

    def base_backup(self, ref: str, *, incremental: bool = False) -> recovery.Backup | None:
        """A base backup of the running instance into its store (None when it is not running:
        a stopped instance wrote nothing since its last one). One at a time per instance."""
        with self._backup_lock(ref):
            instance = self.instance(ref)
            if not instance.ready:  # being made, or gone
                return None
            with self.using(ref) as running:
                return recovery.take_base_backup(
                    self.store(ref), self.replication_conninfo(running), incremental=incremental
                )

    def base_backup_when_older(self, ref: str, seconds: float) -> recovery.Backup | None:
        """An incremental base backup when the newest is older than ``seconds`` (or there is
        none). Judged first without the backup lock (the common case: a recent one, and no wait
        for a backup holding the lock), then again under it: a first backup still copying is
        waited for, not followed at once by a second one (seen as a flaky prune count)."""
        if self._recent_backup(ref, seconds):
            return None
        with self._backup_lock(ref):
            if self._recent_backup(ref, seconds):
                return None
            return self.base_backup(ref, incremental=True)

    def _recent_backup(self, ref: str, seconds: float) -> bool:
        backups = self.store(ref).backups()
        return bool(backups) and backups[-1].end_time > datetime.now(UTC) - timedelta(seconds=seconds)

    def ensure_base_backup(self, ref: str) -> recovery.Backup | None:
        """The newest base backup, taken now if there is none yet (the first one may still be
        under way in the background: this waits for it rather than taking a second). With one
        already there it answers at once: a restore point needs a backup before it, not the one a
        periodic backup is taking (which holds the lock for as long as it copies)."""
        backups = self.store(ref).backups()
        if backups:
            return backups[-1]
        with self._backup_lock(ref):
            backups = self.store(ref).backups()
            if backups:
                return backups[-1]
            return self.base_backup(ref)

    def _backup_lock(self, ref: str) -> threading.RLock:
        with self._guard:
            return self._backup_locks.setdefault(ref, threading.RLock())

    def _ensure_archiving(self, instance: Instance) -> None:
        """Archiving into the instance's own store, set before a start (a data dir made before
        archiving existed, or a clone, gets it here)."""
        auto = instance.pgdata / "postgresql.auto.conf"
        store = recovery.BackupStore(instance.directory / "backups")
        if not auto.exists() or str(store.wal_dir) not in auto.read_text():
            recovery.configure_archiving(instance.pgdata, store)

    def swap_in(self, ref: str, recovered: Path) -> Instance:
        """Make a finished recovery the instance's data dir: pools closed, stop, the engine's
        crash-safe swap (journalled; its new timeline published to the store), start."""
        with self.lock(ref):
            instance = self.instance(ref)
            with self._replacing(ref):
                self.pools.close(ref)
                instance.stop()
                recovery.swap(instance.pgdata, recovered)
                self._ensure_archiving(instance)
                self._start(instance, str(instance.meta().get("size") or "micro"))
            self._touch(ref)
        return instance

    def in_background(self, name: str, target: Any, *args: Any) -> None:
        def run() -> None:
            try:
                target(*args)
            except Exception:
                logger.exception("%s failed", name)

        threading.Thread(target=run, name=f"localapi-{name}", daemon=True).start()

    def settings(self, ref: str) -> dict[str, str]:
        """The size settings the running instance really has (from PostgreSQL itself)."""
        with self.admin(ref) as conn:
            rows = conn.execute(
                "select name, current_setting(name) from pg_settings where name in"
                " ('shared_buffers', 'max_connections', 'work_mem')"
            ).fetchall()
        return {str(name): str(value) for name, value in rows}

    def running(self, ref: str) -> Instance:
        """The instance, started if it was stopped (scale to zero); 400 when paused or missing."""
        instance = self.instance(ref)
        self._touch(ref)
        with self._guard:
            stopping = ref in self._stopping
        if not stopping and instance.is_running():
            return instance
        with self.lock(ref):
            meta = instance.meta()
            if not instance.pgdata.is_dir() or meta.get("state") != "ready":
                raise Problem(400, f"Cannot connect to the database of {ref}: it has no database instance")
            if meta.get("paused"):
                raise Problem(400, f"Cannot connect to the database of {ref}: the project is paused")
            if not instance.is_running():
                # Pooled sessions of a server that stopped behind the API's back (killed, or
                # stopped by another process on this directory) are dead: never hand them out.
                self.pools.close(ref)
                self._ensure_archiving(instance)
                self._start(instance, str(meta.get("size") or "micro"))
        return instance

    # Connections

    @contextmanager
    def using(self, ref: str) -> Iterator[Instance]:
        """The running instance, kept from being stopped as idle while the caller uses it."""
        with self._guard:
            self._borrowed[ref] = self._borrowed.get(ref, 0) + 1
        try:
            yield self.running(ref)
        finally:
            with self._guard:  # used until now and released in one step: not judged idle between
                self._last_used[ref] = time.monotonic()
                self._borrowed[ref] -= 1

    @contextmanager
    def pooled(self, ref: str) -> Iterator[psycopg.Connection[Any]]:
        """A pooled ``platformkit_sql`` connection (autocommit) to the running instance."""
        with self.using(ref) as instance:
            taken = self.pools.take(instance)
            if taken is None:  # its server went while the call waited: once more, as it is now
                taken = self.pools.take(self.running(ref))
            if taken is None:
                raise restarting(ref)
            pool, conn = taken
            try:
                yield conn
            finally:
                pool.putconn(conn)  # rolled back if left in a transaction, then DISCARD ALL

    @contextmanager
    def admin(self, ref: str, dbname: str = "postgres") -> Iterator[psycopg.Connection[Any]]:
        """A superuser session (autocommit), for the local API's own work: never tenant SQL."""
        with self.using(ref) as instance, psycopg.connect(instance.admin_conninfo(dbname), autocommit=True) as conn:
            yield conn

    def connection_problem(self, ref: str) -> str | None:
        """Really connect (a fresh login, not a pooled session, which would outlive a server that
        now refuses connections): ``None`` when it answers, else why not."""
        try:
            with self.using(ref) as instance, psycopg.connect(instance.sql_conninfo(), connect_timeout=3) as conn:
                conn.execute("select 1")
        except Problem as problem:
            return problem.message.rpartition(": ")[2]
        except psycopg.Error as exc:
            return str(exc).strip().rpartition("FATAL:")[2].strip() or type(exc).__name__
        return None

    # Scale to zero

    def _touch(self, ref: str) -> None:
        with self._guard:
            self._last_used[ref] = time.monotonic()

    def _start(self, instance: Instance, size: str) -> None:
        if self._stop.is_set():
            # Closed: a background task of this object still running (a first backup) must not
            # start the instance again behind the next local API's back (seen in CI: the next
            # server's freshly laid-out instance was stopped under it).
            raise Problem(503, f"The local API is stopping: the database of {instance.ref} is not started")
        # The verifier kept at the last orderly stop is stale once the server runs (the tenant may
        # change the password): gone while it runs, it never refuses a correct password after a
        # crash; the pooler reads the live one meanwhile (live_verifier).
        (instance.directory / VERIFIER_FILE).unlink(missing_ok=True)
        instance.start(settings_for(size))
        instance.write_meta(started_by=self.owner)

    @contextmanager
    def _replacing(self, ref: str) -> Iterator[None]:
        """While its server is stopped (or replaced, or dropped): callers are not handed the
        dying server by ``running``'s fast path; they wait for the instance's lock."""
        with self._guard:
            self._stopping.add(ref)
        try:
            yield
        finally:
            with self._guard:
                self._stopping.discard(ref)

    def _stop_instance(self, instance: Instance) -> None:
        with self._replacing(instance.ref):
            self.pools.close(instance.ref)
            if instance.is_running():
                self._keep_verifier(instance)
            instance.stop()

    def _keep_verifier(self, instance: Instance) -> None:
        """The tenant role's SCRAM verifier as it is now, kept beside the stopped instance: the
        pooler checks a client's password with it before waking the instance (pooler/scram.py)."""
        try:
            verifier = _read_verifier(instance)
        except psycopg.Error:
            return  # the pooler then lets the instance check it, after waking it
        path = instance.directory / VERIFIER_FILE
        temporary = path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(verifier or "")
        os.replace(temporary, path)

    def live_verifier(self, ref: str) -> str | None:
        """The tenant role's SCRAM verifier as the running instance has it now (None if unreadable)."""
        try:
            with self.using(ref) as instance:
                return _read_verifier(instance)
        except (psycopg.Error, Problem):
            return None

    def tenant_verifier(self, ref: str) -> str | None:
        """The verifier kept when ``ref``'s instance last stopped (None if none was)."""
        try:
            return (self.instance(ref).directory / VERIFIER_FILE).read_text() or None
        except OSError:
            return None

    def stop(self, ref: str) -> None:
        """Stop now, as an idle instance is stopped (the next call starts it; not a pause)."""
        with self.lock(ref):
            self._stop_instance(self.instance(ref))
        with self._guard:
            self._last_used.pop(ref, None)

    def stop_idle(self) -> list[str]:
        """Stop instances unused for ``idle_stop_seconds``; the next request starts them again."""
        now = time.monotonic()
        with self._guard:
            idle = [
                ref
                for ref, used in self._last_used.items()
                if now - used >= self.idle_stop_seconds and not self._borrowed.get(ref)
            ]
        stopped = []
        for ref in idle:
            lock = self.lock(ref)
            if not lock.acquire(blocking=False):
                continue  # being created, resized or swapped: not idle
            try:
                with self._guard:  # judged idle and marked stopping in one step (see running)
                    if self._borrowed.get(ref) or now - self._last_used.get(ref, now) < self.idle_stop_seconds:
                        continue
                    self._last_used.pop(ref, None)
                    self._stopping.add(ref)
                instance = self.instance(ref)
                if not instance.is_running():
                    continue
                if _own_sessions(instance):
                    self._touch(ref)  # a client connected straight to it (psql, an ORM) uses it
                else:
                    self._stop_instance(instance)
                    stopped.append(ref)
            finally:
                with self._guard:
                    self._stopping.discard(ref)
                lock.release()
        return stopped

    def _reap(self) -> None:
        while not self._stop.wait(max(0.2, min(self.idle_stop_seconds / 4, 5.0))):
            try:
                for ref in self.stop_idle():
                    logger.info("instance %s stopped after %.0f s idle", ref, self.idle_stop_seconds)
            except Exception:
                logger.exception("stopping idle instances failed")

    # Start and stop of the local API

    def reconcile(self, active: set[str], sizes: Mapping[str, str] | None = None) -> set[str]:
        """At start: put interrupted swaps right, finish interrupted resizes, start the instances
        of ``active`` projects (in the background) and answer the refs whose creation never
        finished (their projects end INIT_FAILED).

        A swap cut short rolls forward (the recovered copy was complete before its journal was
        written); a recovery cut short before its swap is discarded: the previous data stays.
        A resize cut short ends at ``sizes[ref]`` (the size the project records: it is written
        before the instance's), and a server still running with other settings (its local API
        was killed before its stop) is stopped, so the start runs the recorded size."""
        unfinished = set()
        to_start = []
        self.swap_outcomes.clear()
        for ref in self.refs():
            instance = self.instance(ref)
            meta = instance.meta()
            if instance.is_running() and _alive(str(meta.get("started_by") or "")):
                # Served by another live local API over this directory (its locks are its own):
                # its swaps, recoveries and resizes in flight are not ours to settle.
                continue
            outcome = recovery.reconcile(instance.pgdata)
            if outcome != recovery.Outcome.NOTHING:
                logger.warning("instance %s: an interrupted swap of its data dir %s", ref, outcome.value)
                self.swap_outcomes[ref] = outcome
            recovery.discard(self.recovery_dir(ref))
            meta = instance.meta()
            if meta.get("state") != "ready":
                unfinished.add(ref)
                continue
            size = (sizes or {}).get(ref)
            if meta.get("resizing") or (size is not None and size != meta.get("size")):
                logger.warning("instance %s: an interrupted resize ends at %s", ref, size or meta.get("size"))
                self.pools.close(ref)
                instance.stop()
                instance.write_meta(size=size or meta.get("size"), resizing=False)
            if instance.is_running() and not _alive(str(meta.get("started_by") or "")):
                instance.write_meta(started_by=self.owner)  # left by a local API that died: ours now
            if ref in active and not meta.get("paused"):
                to_start.append(ref)
        if to_start:
            threading.Thread(
                target=self._start_all, args=(to_start,), name="localapi-instances-start", daemon=True
            ).start()
        return unfinished

    def _start_all(self, refs: list[str]) -> None:
        for ref in refs:
            try:
                self.running(ref)
            except Exception:
                logger.exception("starting the instance of %s failed", ref)

    def close(self) -> None:
        """Close the pools and stop the instances this object started or adopted (another local
        API over the same directory keeps its own running: a suite's second server stopped all of
        them, hundreds, on each close)."""
        self._close(everyone=False)

    def stop_all(self) -> None:
        """Stop every instance of this directory, whoever started it (clean-up of a directory
        no local API serves any more)."""
        self._close(everyone=True)

    def _close(self, *, everyone: bool) -> None:
        self._stop.set()
        self.pools.close_all()
        for ref in self.refs():  # one pass: each instance is looked at once
            instance = self.instance(ref)
            if everyone or instance.meta().get("started_by") == self.owner:
                self._stop_if_running(instance)

    def _stop_if_running(self, instance: Instance) -> None:
        if instance.pgdata.is_dir() and instance.is_running():
            with self.lock(instance.ref):
                self._keep_verifier(instance)
                instance.stop()


def _read_verifier(instance: Instance) -> str | None:
    """The tenant role's SCRAM verifier as the running ``instance`` has it (superuser read)."""
    with psycopg.connect(instance.admin_conninfo(), autocommit=True, connect_timeout=3) as conn:
        row = conn.execute("select rolpassword from pg_authid where rolname = 'postgres'").fetchone()
    return str(row[0]) if row and row[0] else None


def _own_sessions(instance: Instance) -> int:
    """Sessions of clients connected to the instance itself, not through the local API or its
    pooler (both hold the instance in use while they run): an idle stop would cut them mid-work."""
    try:
        with psycopg.connect(instance.admin_conninfo(), autocommit=True, connect_timeout=3) as conn:
            row = conn.execute(
                "select count(*) from pg_stat_activity where backend_type = 'client backend'"
                " and pid <> pg_backend_pid() and usename is distinct from 'platformkit_sql'"
                " and usename is distinct from current_user"
            ).fetchone()
    except psycopg.Error:
        return 0  # it cannot say: stopped as idle, as before
    return int(row[0]) if row else 0


def _alive(owner: str) -> bool:
    """Whether the process of an ``owner`` tag (``<processes.identity()>#<nonce>``) may still
    run: only a process of this host and PID namespace can be known gone (another container's
    pid means nothing here). An older tag (``<pid>-<nonce>``) is judged by its pid."""
    identity, mark, _ = owner.rpartition("#")
    if mark:
        return not processes.is_gone(identity)
    pid = owner.partition("-")[0]
    return pid.isdigit() and processes.pid_exists(int(pid))
