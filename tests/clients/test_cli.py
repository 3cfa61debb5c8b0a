"""The Supabase CLI 2.117.0 against the local API: what a platform's scripts run, asserted on
what the CLI prints."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import httpx

from .conftest import BIN, CLI

HELLO = 'import { x } from "./lib/util.ts"\nDeno.serve(() => new Response(`hi ${x}`))\n'


def test_orgs_and_projects(cli: CLI, project: dict[str, Any]) -> None:
    made = cli.run("orgs", "create", "CLI Org").stdout
    assert "Created organization:" in made and "CLI Org" in made
    listed = cli.run("orgs", "list").stdout
    assert "Local organization" in listed and "CLI Org" in listed
    projects = cli.json("projects", "list")
    mine = next(row for row in projects if row["id"] == project["ref"])
    assert (mine["name"], mine["organization_id"]) == ("Clients", project["organization_id"])
    table = cli.run("projects", "list").stdout
    assert project["ref"] in table and "Clients" in table


def test_api_keys(cli: CLI, project: dict[str, Any], http_session: httpx.Client) -> None:
    keys = cli.json("projects", "api-keys", "--project-ref", project["ref"])
    by_name = {key["name"]: key["api_key"] for key in keys}
    served = {key["name"]: key["api_key"] for key in http_session.get(f"/v1/projects/{project['ref']}/api-keys").json()}
    assert by_name["anon"] == served["anon"] and by_name["anon"].startswith("eyJ")
    assert "service_role" in by_name


def test_secrets_set_list_unset(cli: CLI, project: dict[str, Any]) -> None:
    ref = project["ref"]
    assert "Finished supabase secrets set" in cli.run("secrets", "set", "GREETING=hello", "--project-ref", ref).stdout
    listed = cli.run("secrets", "list", "--project-ref", ref).stdout
    # the SHA-256 of "hello", as the real API digests a value
    assert "GREETING" in listed and "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" in listed
    cli.run("secrets", "unset", "GREETING", "--project-ref", ref, "--yes")
    assert "GREETING" not in cli.run("secrets", "list", "--project-ref", ref).stdout


def test_branches_list(cli: CLI, project: dict[str, Any]) -> None:
    listed = cli.run("branches", "list", "--project-ref", project["ref"]).stdout
    assert "main" in listed and project["ref"] in listed


def test_functions_deploy_list_download_delete(cli: CLI, project: dict[str, Any]) -> None:
    ref = project["ref"]
    folder = cli.workdir / "supabase" / "functions" / "hello"
    (folder / "lib").mkdir(parents=True, exist_ok=True)
    (folder / "index.ts").write_text(HELLO)
    (folder / "lib" / "util.ts").write_text("export const x = 1\n")
    deployed = cli.run("functions", "deploy", "hello", "--project-ref", ref, "--use-api", timeout=120)
    assert f"Deployed Functions on project {ref}: hello" in deployed.stdout + deployed.stderr
    listed = cli.run("functions", "list", "--project-ref", ref).stdout
    assert "hello" in listed and "ACTIVE" in listed
    shutil.rmtree(folder)
    downloaded = cli.run("functions", "download", "hello", "--project-ref", ref, "--use-api")
    assert f"Downloaded Function hello from project {ref}" in downloaded.stdout + downloaded.stderr
    assert (folder / "index.ts").read_text() == HELLO
    assert (folder / "lib" / "util.ts").read_text() == "export const x = 1\n"  # the import travelled along
    deleted = cli.run("functions", "delete", "hello", "--project-ref", ref, "--yes")
    assert f"Deleted Function hello from project {ref}" in deleted.stdout + deleted.stderr
    assert "hello" not in cli.run("functions", "list", "--project-ref", ref).stdout


def test_backups_list(cli: CLI, project: dict[str, Any]) -> None:
    listed = cli.run("backups", "list", "--project-ref", project["ref"]).stdout
    # The instance's physical base backups (WAL-based: the first is taken when it comes up).
    assert "REGION" in listed and "PHYSICAL" in listed and "COMPLETED" in listed


def test_gen_types_typescript(cli: CLI, project: dict[str, Any], http_session: httpx.Client, tmp_path: Any) -> None:
    ref = project["ref"]
    made = http_session.post(
        f"/v1/projects/{ref}/database/query",
        json={
            "query": "create type public.mood as enum ('sad', 'happy');"
            " create table public.people (id bigint generated always as identity primary key, name text not null,"
            " mood public.mood, tags text[]);"
            " create table public.pets (id serial primary key, owner_id bigint references public.people (id));"
            " create view public.names as select id, name from public.people;"
            " create function public.add(a int, b int default 1) returns int language sql as 'select a + b';"
            " create type public.address as (street text, zip int)"
        },
    )
    assert made.status_code == 201, made.text
    types = cli.run("gen", "types", "--lang", "typescript", "--project-id", ref).stdout
    assert "export type Database = {" in types
    for expected in (
        "      people: {\n        Row: {\n          id: number\n",
        '          mood: Database["public"]["Enums"]["mood"] | null',
        "          id?: never",  # generated always: never written
        "          name: string\n",
        "          tags?: string[] | null",
        'foreignKeyName: "pets_owner_id_fkey"',
        "      names: {\n        Row: {\n          id: number | null\n          name: string | null",
        "        Args: { a: number; b?: number }\n        Returns: number",
        '      mood: "sad" | "happy"',
        "      address: {\n        street: string | null\n        zip: number | null",
        'mood: ["sad", "happy"]',
    ):
        assert expected in types, expected
    tsc = BIN / "tsc"
    if tsc.exists():  # the file compiles, and its helpers type a row
        (tmp_path / "database.ts").write_text(types)
        (tmp_path / "use.ts").write_text(
            'import type { Tables, Enums } from "./database"\n'
            'const row: Tables<"people"> = { id: 1, name: "a", mood: "happy", tags: null }\n'
            'const mood: Enums<"mood"> = "sad"\nexport { row, mood }\n'
        )
        checked = subprocess.run(
            [str(tsc), "--noEmit", "--strict", str(tmp_path / "use.ts")], capture_output=True, text=True, timeout=120
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_snippets_list_and_download(cli: CLI, project: dict[str, Any], http_session: httpx.Client) -> None:
    made = http_session.post(
        "/v1/snippets", json={"project_ref": project["ref"], "name": "Active users", "sql": "select 42 as answer"}
    )
    assert made.status_code == 201, made.text
    listed = cli.run("snippets", "list", "--project-ref", project["ref"]).stdout
    assert made.json()["id"] in listed and "Active users" in listed
    shown = cli.run("snippets", "download", made.json()["id"], "--project-ref", project["ref"]).stdout
    assert "select 42 as answer" in shown
    assert json.loads(json.dumps(made.json()))["content"]["sql"] == "select 42 as answer"
