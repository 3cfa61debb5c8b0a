"""Projects: create validates as upstream and provisions a real database laid out as a
Supabase project; list, get, rename and delete act on it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import psycopg
import pytest

from tests.localapi.conftest import DEFAULT_ORG, PROJECT_BODY, message, wait_for_status


def connect_as_owner(localapi: Any, ref: str, password: str) -> psycopg.Connection:
    """The tenant's role over TCP, as psql or any client would (the project's own instance)."""
    return psycopg.connect(localapi.api.instances.instance(ref).direct_url(password), connect_timeout=5)


def test_create_answers_coming_up_then_becomes_active(http: httpx.Client, localapi: Any) -> None:
    response = http.post("/v1/projects", json=PROJECT_BODY)
    assert response.status_code == 201
    created = response.json()
    assert re.fullmatch(r"[a-z]{20}", created["ref"]) and created["id"] == created["ref"]
    assert created["status"] == "COMING_UP"
    assert (created["name"], created["organization_slug"], created["region"]) == (
        "Test project",
        DEFAULT_ORG,
        "eu-central-1",
    )
    assert "database" not in created  # V1ProjectResponse, not ...WithDatabase

    active = wait_for_status(http, created["ref"], "ACTIVE_HEALTHY")
    assert active["created_at"] == created["created_at"]


def test_status_waits_for_the_configured_delay(
    http: httpx.Client, localapi: Any, create_project: Callable[..., dict[str, Any]]
) -> None:
    import time

    started = time.monotonic()
    ref = create_project()["ref"]
    wait_for_status(http, ref, "ACTIVE_HEALTHY")
    assert time.monotonic() - started >= localapi.config.status_delay_seconds * 0.9


def test_project_database_is_real_and_checks_the_password(
    localapi: Any, create_project: Callable[..., dict[str, Any]]
) -> None:
    ref = create_project(db_pass="s3cret pass/with:odd@chars")["ref"]
    with connect_as_owner(localapi, ref, "s3cret pass/with:odd@chars") as conn:
        assert conn.execute("select current_user, current_database(), current_setting('is_superuser')").fetchone() == (
            "postgres",
            "postgres",
            "off",
        )
        conn.execute("create table public.notes (id serial primary key, body text)")
        conn.execute("insert into public.notes (body) values ('hello')")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect_as_owner(localapi, ref, "wrong password")


def test_an_owner_cannot_connect_to_another_projects_database(
    http: httpx.Client, localapi: Any, create_project: Any
) -> None:
    """Each project is its own instance: one project's password does not open another's."""
    first = create_project(db_pass="first-project-pass")["ref"]
    second = create_project()["ref"]
    for ref in (first, second):
        wait_for_status(http, ref, "ACTIVE_HEALTHY")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect_as_owner(localapi, second, "first-project-pass")
    with connect_as_owner(localapi, second, PROJECT_BODY["db_pass"]) as conn:  # its own owner still can
        assert conn.execute("select 1").fetchone() == (1,)


def test_project_is_laid_out_as_supabase(http: httpx.Client, localapi: Any, active_project: dict[str, Any]) -> None:
    ref = active_project["ref"]
    with connect_as_owner(localapi, ref, PROJECT_BODY["db_pass"]) as conn:
        roles = dict(
            conn.execute(
                "select rolname, rolcanlogin from pg_roles"
                " where rolname in ('anon', 'authenticated', 'service_role', 'authenticator')"
            ).fetchall()
        )
        assert roles == {"anon": False, "authenticated": False, "service_role": False, "authenticator": True}
        assert conn.execute("select pg_has_role('authenticator', 'anon', 'member')").fetchone() == (True,)
        schemas = {row[0] for row in conn.execute("select nspname from pg_namespace")}
        assert {"auth", "storage", "extensions", "supabase_migrations", "public"} <= schemas
        columns = {
            row[0]
            for row in conn.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'auth' and table_name = 'users'"
            )
        }
        assert {
            "id",
            "email",
            "encrypted_password",
            "created_at",
            "updated_at",
            "raw_user_meta_data",
            "role",
            "aud",
            "last_sign_in_at",
        } <= columns
        migrations = [
            row[0]
            for row in conn.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'supabase_migrations' and table_name = 'schema_migrations'"
                " order by ordinal_position"
            )
        ]
        assert migrations[:3] == ["version", "statements", "name"]
        assert {"buckets", "objects"} <= {
            row[0] for row in conn.execute("select tablename from pg_tables where schemaname = 'storage'")
        }

        # The owner can write auth.users; auth.uid()/role()/jwt() read the request's JWT claims.
        user_id = conn.execute(
            "insert into auth.users (email, role, aud)"
            " values ('a@example.com', 'authenticated', 'authenticated') returning id"
        ).fetchone()[0]
        conn.execute(
            "select set_config('request.jwt.claims', %s, false)", (f'{{"sub": "{user_id}", "role": "authenticated"}}',)
        )
        assert conn.execute("select auth.uid(), auth.role(), auth.jwt() ->> 'role'").fetchone() == (
            user_id,
            "authenticated",
            "authenticated",
        )

        # What the owner makes in public is granted to the API roles, as on Supabase.
        conn.execute("create table public.todos (id int primary key)")
        assert conn.execute("select has_table_privilege('anon', 'public.todos', 'select')").fetchone() == (True,)
        assert conn.execute("select has_table_privilege('service_role', 'public.todos', 'delete')").fetchone() == (
            True,
        )


def test_list_and_get_include_the_database(
    http: httpx.Client, localapi: Any, pg_location: Any, active_project: dict[str, Any]
) -> None:
    """The host is a loopback address a client can use (not a socket path)."""
    ref = active_project["ref"]
    listed = http.get("/v1/projects").json()
    assert ref in [project["ref"] for project in listed]
    got = http.get(f"/v1/projects/{ref}").json()
    assert got == next(project for project in listed if project["ref"] == ref)
    with psycopg.connect(pg_location.url()) as conn:
        version = conn.execute("show server_version").fetchone()[0].split()[0]
    assert got["database"] == {
        "host": "127.0.0.1",
        "version": version,
        "postgres_engine": version.split(".")[0],
        "release_channel": "ga",
        # The local addition (docs/client-compatibility.md): the instance's own loopback port.
        "port": localapi.api.instances.instance(ref).port,
    }


@pytest.mark.parametrize(
    ("region_fields", "region"),
    [
        ({"region_selection": {"type": "smartGroup", "code": "americas"}}, "us-east-1"),
        ({"region_selection": {"type": "smartGroup", "code": "apac"}}, "ap-southeast-1"),
        ({"region_selection": {"type": "specific", "code": "eu-west-2"}}, "eu-west-2"),
        ({"region_selection": None, "region": "sa-east-1"}, "sa-east-1"),
    ],
)
def test_create_places_the_project_in_the_selected_region(
    create_project: Callable[..., dict[str, Any]], region_fields: dict[str, Any], region: str
) -> None:
    assert create_project(**region_fields)["region"] == region


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"name": None}, "name is required"),
        ({"name": 12}, "name must be a string"),
        ({"name": "x" * 257}, "1 to 256"),
        ({"organization_slug": None}, "organization_slug is required"),
        ({"organization_slug": ["a"]}, "organization_slug must be a string"),
        ({"organization_slug": "not a slug!"}, "organization slug"),
        ({"organization_slug": "nosuchorganization"}, "Organization nosuchorganization not found"),
        ({"db_pass": None}, "db_pass is required"),
        ({"db_pass": 1234}, "db_pass must be a string"),
        ({"db_pass": ""}, "db_pass must not be empty"),
        ({"db_pass": "nul\x00inside"}, "db_pass must not contain NUL"),
        ({"name": "nul\x00inside"}, "name must not contain NUL"),
        (
            {"region_selection": {"type": "smartGroup", "code": "mars"}},
            "region_selection.code must be one of americas, emea, apac",
        ),
        ({"region_selection": {"type": "specific", "code": "moon-1"}}, "region_selection.code must be one of"),
        ({"region_selection": {"type": "nearby", "code": "emea"}}, "region_selection.type"),
        ({"region_selection": {"type": "specific"}}, "region_selection.code is required"),
        ({"region_selection": "emea"}, "region_selection must be an object"),
        ({"region": "us-east-1"}, "Only one of region or region_selection"),
        ({"region_selection": None, "region": "mars-1"}, "region must be one of"),
        ({"desired_instance_size": "huge"}, "desired_instance_size must be one of"),
        ({"desired_instance_size": 3}, "desired_instance_size must be a str"),
        ({"plan": "gold"}, "plan must be one of free, pro"),
        ({"kps_enabled": "yes"}, "kps_enabled must be a bool"),
        ({"colour": "blue"}, "property colour should not exist"),
    ],
)
def test_create_rejects_bad_bodies(http: httpx.Client, change: dict[str, Any], expected: str) -> None:
    body = {key: value for key, value in {**PROJECT_BODY, **change}.items() if value is not None}
    before = len(http.get("/v1/projects").json())
    response = http.post("/v1/projects", json=body)
    assert response.status_code == 400
    assert expected in message(response)
    assert len(http.get("/v1/projects").json()) == before


def test_rename(http: httpx.Client, create_project: Callable[..., dict[str, Any]]) -> None:
    ref = create_project()["ref"]
    response = http.patch(f"/v1/projects/{ref}", json={"name": "Renamed"})
    assert response.status_code == 200
    renamed = response.json()
    assert renamed["ref"] == ref and renamed["name"] == "Renamed" and isinstance(renamed["id"], int)
    assert http.get(f"/v1/projects/{ref}").json()["name"] == "Renamed"


@pytest.mark.parametrize(
    ("body", "expected"), [({}, "name is required"), ({"name": ""}, "1 to 256"), ({"name": False}, "must be a string")]
)
def test_rename_rejects_bad_bodies(
    http: httpx.Client, create_project: Callable[..., dict[str, Any]], body: dict[str, Any], expected: str
) -> None:
    ref = create_project()["ref"]
    response = http.patch(f"/v1/projects/{ref}", json=body)
    assert response.status_code == 400
    assert expected in message(response)
    assert http.get(f"/v1/projects/{ref}").json()["name"] == PROJECT_BODY["name"]


def test_delete_drops_database_and_role(http: httpx.Client, localapi: Any, active_project: dict[str, Any]) -> None:
    ref = active_project["ref"]
    held = connect_as_owner(localapi, ref, PROJECT_BODY["db_pass"])  # an open session does not stop it
    response = http.delete(f"/v1/projects/{ref}")
    assert response.status_code == 200
    deleted = response.json()
    assert deleted["ref"] == ref and deleted["name"] == active_project["name"] and isinstance(deleted["id"], int)
    held.close()

    assert http.get(f"/v1/projects/{ref}").status_code == 404
    assert ref not in [project["ref"] for project in http.get("/v1/projects").json()]
    instance = localapi.api.instances.instance(ref)
    assert not instance.directory.exists()  # stopped and removed
    with pytest.raises(psycopg.OperationalError):
        connect_as_owner(localapi, ref, PROJECT_BODY["db_pass"])
    assert http.delete(f"/v1/projects/{ref}").status_code == 404


def test_delete_while_coming_up(
    http: httpx.Client, localapi: Any, create_project: Callable[..., dict[str, Any]]
) -> None:
    ref = create_project()["ref"]
    assert http.delete(f"/v1/projects/{ref}").status_code == 200
    assert not localapi.api.instances.instance(ref).directory.exists()


def test_ids_of_different_projects_differ(http: httpx.Client, create_project: Callable[..., dict[str, Any]]) -> None:
    ids = {http.patch(f"/v1/projects/{create_project()['ref']}", json={"name": "n"}).json()["id"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    ("ref", "status"),
    [("abcdefghijklmnopqrst", 404), ("short", 400), ("ABCDEFGHIJKLMNOPQRST", 400), ("abcdefghijklmnopqrs1", 400)],
)
def test_unknown_or_malformed_ref(http: httpx.Client, method: str, ref: str, status: int) -> None:
    response = http.request(method, f"/v1/projects/{ref}", json={"name": "x"})
    assert response.status_code == status
    assert ref in message(response)
