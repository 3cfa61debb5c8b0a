"""The template data dir: ``initdb`` plus the Supabase roles and schemas, laid out once and
copied for every project (initdb takes ~2 s, a copy ~0.2 s). It is kept under a name made of
a hash of the layout SQL, so a change of the layout builds a new template (old ones removed).

Authentication (``HBA``): ``supabase_admin`` (the superuser) and ``platformkit_sql`` (the API's
login for tenant SQL) may connect over the Unix socket only, with passwords that are random
per data dir and known only to the local API (``credentials.json``, mode 0600; the socket
directory is the server user's, mode 0700). Everyone else, the tenant's ``postgres`` first,
connects with a password, over the socket or loopback TCP. So tenant credentials never reach a
superuser session, and a tenant cannot log in as the API's roles from a client.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

from platformkit.localapi import layout

from . import binaries
from .instance import SETTINGS_FILE, Credentials, Instance, free_port
from .sizes import settings_for

HBA = """# platformkit: the local API's roles over the socket only; everyone else with a password
local   all          supabase_admin                    scram-sha-256
local   replication  supabase_admin                    scram-sha-256
local   all          platformkit_sql                   scram-sha-256
host    all          supabase_admin,platformkit_sql    all    reject
local   all          all                               scram-sha-256
host    all          all              127.0.0.1/32     scram-sha-256
host    all          all              ::1/128          scram-sha-256
"""

# Settings every instance shares (per-size ones are in sizes.py, per-instance in SETTINGS_FILE).
BASE_CONF = f"""
# platformkit
include_if_exists = '{SETTINGS_FILE}'
password_encryption = 'scram-sha-256'
fsync = on
log_destination = 'stderr'
log_line_prefix = '%m [%p] %q%u@%d '
# As on the platform (`supabase inspect db outliers`, `calls`, `db-stats` read it).
shared_preload_libraries = 'pg_stat_statements'
# Disk: every project is an instance with its own WAL and archive. With 1 MB segments (initdb
# --wal-segsize=1) a forced switch (archive_timeout, a restore point, a PITR seal) archives 1 MB,
# not 16; and pg_wal keeps a few MB recycled, not the default 80 MB (a test run of a few hundred
# projects filled ~70 GB with the defaults).
min_wal_size = 4MB
max_wal_size = 64MB
"""


# 1 MB WAL segments: a forced switch (restore point, seal) archives 1 MB, not 16.
INITDB_OPTIONS = (
    "--encoding=UTF8", "--locale=C.UTF-8", "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
    "--no-instructions", "--no-sync", "--wal-segsize=1",
)  # fmt: skip

# Another layout's template may be in use by another server over the same directory (an older
# checkout, a second test run): it is removed only once it has not been touched for this long.
STALE_TEMPLATE_SECONDS = 24 * 3600


def layout_key() -> str:
    """What the template is a function of: initdb's options, the layout SQL, the HBA rules and
    settings (a template made with other options is never reused)."""
    text = "\n".join(
        (*INITDB_OPTIONS, layout.INSTANCE_ROLES_SQL, layout.PROJECT_SQL, layout.SERVICE_OWNERS_SQL, HBA, BASE_CONF)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_credentials(root: Path) -> Credentials:
    """The API's passwords for ``root`` (made the first time, kept readable by this user only)."""
    path = root / "credentials.json"
    if not path.exists():
        root.mkdir(parents=True, exist_ok=True)
        values = {"admin_password": secrets.token_urlsafe(32), "sql_password": secrets.token_urlsafe(32)}
        descriptor = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump(values, file)
        os.replace(path.with_suffix(".tmp"), path)
    values = json.loads(path.read_text())
    return Credentials(admin_password=values["admin_password"], sql_password=values["sql_password"])


def template_dir(root: Path) -> Path:
    return root / f"template-{layout_key()}"


def ensure_template(root: Path, credentials: Credentials) -> Path:
    """The template's data dir for the current layout, built (once) if missing."""
    target = template_dir(root)
    if (target / "PG_VERSION").exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    binaries.make_reachable(root)
    binaries.give_to_server(root)
    work = Path(tempfile.mkdtemp(prefix="template-building-", dir=root))
    binaries.give_to_server(work)
    try:
        _build(work, credentials)
        if (target / "PG_VERSION").exists():  # another process built it meanwhile
            shutil.rmtree(work, ignore_errors=True)
            return target
        os.rename(work / "pgdata", target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for old in root.glob("template-*"):
        if old != target and not old.name.startswith("template-building-") and _untouched(old):
            shutil.rmtree(old, ignore_errors=True)
    return target


def _untouched(template: Path) -> bool:
    try:
        return time.time() - template.stat().st_mtime > STALE_TEMPLATE_SECONDS
    except FileNotFoundError:
        return False


def _build(work: Path, credentials: Credentials) -> None:
    password_file = work / "pwfile"
    password_file.write_text(credentials.admin_password + "\n")
    binaries.give_to_server(password_file)
    pgdata = work / "pgdata"
    binaries.run(
        "initdb",
        ["-D", str(pgdata), "-U", "supabase_admin", f"--pwfile={password_file}", *INITDB_OPTIONS],
        timeout=120,
    )  # fmt: skip
    password_file.unlink()
    (pgdata / "pg_hba.conf").write_text(HBA)
    with (pgdata / "postgresql.conf").open("a") as conf:
        conf.write(BASE_CONF)
    builder = Instance("template", work, credentials)
    builder.write_meta(port=free_port())
    builder.start(settings_for("micro"))
    try:
        with psycopg.connect(builder.admin_conninfo(), autocommit=True) as conn:
            conn.execute("set pg_stat_statements.track = 'none'")  # platformkit_sql's password is set below
            conn.execute(sql.SQL(layout.INSTANCE_ROLES_SQL).format(sql_password=sql.Literal(credentials.sql_password)))
            with conn.transaction():
                conn.execute(sql.SQL(layout.PROJECT_SQL).format(owner=sql.Identifier("postgres")))
                conn.execute(layout.SERVICE_OWNERS_SQL)
            conn.execute("checkpoint")
    finally:
        builder.stop()
    for leftover in ("postmaster.opts", SETTINGS_FILE):
        (pgdata / leftover).unlink(missing_ok=True)


def copy_template(template: Path, destination: Path) -> None:
    """A copy of the template's data dir at ``destination`` (which must not exist), owned by
    the server's user (``cp -a`` run as that user keeps modes PostgreSQL insists on)."""
    binaries.give_to_server(destination.parent)
    import subprocess

    subprocess.run(
        ["cp", "-a", str(template), str(destination)],
        check=True,
        user=binaries.server_user(),
        timeout=120,
        capture_output=True,
    )
