"""A project's real database: created, laid out as Supabase lays one out, paused, dropped.

Each project is a database ``project_<ref>`` owned by the login role ``postgres.<ref>`` (the
name Supabase's pooler uses), whose password is the project's ``db_pass``. The API roles
(``anon``, ``authenticated``, ``service_role``, ``authenticator``) are cluster-wide, as roles are
in PostgreSQL, and shared by every project of the local API.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

API_ROLES_SQL = """
do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then create role anon nologin noinherit; end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then create role authenticated nologin noinherit; end if;
  if not exists (select from pg_roles where rolname = 'service_role') then create role service_role nologin noinherit bypassrls; end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then create role authenticator login noinherit; end if;
end $$;
grant anon, authenticated, service_role to authenticator;
"""

# Run inside the new database as the superuser; the project's owner role is {owner}.
LAYOUT_SQL = """
create schema if not exists extensions;
-- The extensions Supabase preinstalls, where this server build ships them.
do $$
declare wanted text;
begin
  foreach wanted in array array['pgcrypto', 'uuid-ossp', 'pg_stat_statements'] loop
    if exists (select from pg_available_extensions where name = wanted) then
      execute format('create extension if not exists %I with schema extensions', wanted);
    end if;
  end loop;
end $$;
grant usage on schema extensions to anon, authenticated, service_role;

create schema if not exists auth;
create table if not exists auth.users (
  instance_id uuid,
  id uuid primary key default gen_random_uuid(),
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb default '{{}}'::jsonb,
  raw_user_meta_data jsonb default '{{}}'::jsonb,
  is_super_admin boolean,
  phone text unique,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  is_anonymous boolean not null default false
);
create unique index if not exists users_email_partial_key on auth.users (email) where email is not null;
create table if not exists auth.identities (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  provider text not null,
  identity_data jsonb not null,
  created_at timestamptz default now()
);
-- The JWT helpers policies call, reading the claims PostgREST sets per request.
create or replace function auth.jwt() returns jsonb language sql stable as $f$
  select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{{}}')::jsonb
$f$;
create or replace function auth.uid() returns uuid language sql stable as $f$
  select nullif(auth.jwt() ->> 'sub', '')::uuid
$f$;
create or replace function auth.role() returns text language sql stable as $f$
  select nullif(auth.jwt() ->> 'role', '')::text
$f$;
create or replace function auth.email() returns text language sql stable as $f$
  select nullif(auth.jwt() ->> 'email', '')::text
$f$;
grant usage on schema auth to anon, authenticated, service_role;
grant execute on all functions in schema auth to anon, authenticated, service_role;
grant all on all tables in schema auth to service_role;

create schema if not exists storage;
create table if not exists storage.buckets (
  id text primary key,
  name text not null unique,
  owner uuid,
  public boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
create table if not exists storage.objects (
  id uuid primary key default gen_random_uuid(),
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  metadata jsonb,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now()
);
alter table storage.objects enable row level security;
grant usage on schema storage to anon, authenticated, service_role;
grant all on all tables in schema storage to service_role;

create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text,
  created_by text,
  idempotency_key text unique,
  rollback text[]
);

-- public as Supabase grants it: the API roles may use it; new objects are reachable by them
-- (row level security is what protects the rows).
grant usage on schema public to anon, authenticated, service_role;
alter default privileges for role {owner} in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role {owner} in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges for role {owner} in schema public grant all on sequences to anon, authenticated, service_role;
grant all on schema public to {owner};
grant usage, create on schema supabase_migrations to {owner};
grant all on all tables in schema supabase_migrations to {owner};
grant usage on schema auth, storage to {owner};
grant all on all tables in schema auth, storage to {owner};
"""


def database_name(ref: str) -> str:
    return f"project_{ref}"


def owner_role(ref: str) -> str:
    return f"postgres.{ref}"


def _superuser(database_url: str, dbname: str | None = None) -> psycopg.Connection:
    conninfo = psycopg.conninfo.make_conninfo(database_url, dbname=dbname) if dbname else database_url
    return psycopg.connect(conninfo, autocommit=True)


def create_project_database(database_url: str, ref: str, db_pass: str) -> None:
    """The role, the database, and the Supabase layout inside it."""
    owner = sql.Identifier(owner_role(ref))
    with _superuser(database_url) as conn:
        conn.execute(API_ROLES_SQL)
        conn.execute(sql.SQL("create role {} login password {} createrole").format(owner, sql.Literal(db_pass)))
        conn.execute(sql.SQL("grant anon, authenticated, service_role to {}").format(owner))
        conn.execute(sql.SQL("create database {} owner {}").format(sql.Identifier(database_name(ref)), owner))
    with _superuser(database_url, database_name(ref)) as conn:
        conn.execute(sql.SQL(LAYOUT_SQL).format(owner=owner))


def drop_project_database(database_url: str, ref: str) -> None:
    with _superuser(database_url) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(database_name(ref))))
        conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(owner_role(ref))))


def allow_connections(database_url: str, ref: str, allowed: bool) -> None:
    """Pausing refuses new connections and ends the open ones; restoring lets them in again."""
    database = sql.Identifier(database_name(ref))
    with _superuser(database_url) as conn:
        conn.execute(sql.SQL("alter database {} allow_connections {}").format(database, sql.Literal(allowed)))
        if not allowed:
            conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
                (database_name(ref),),
            )


def check_connection(database_url: str, ref: str) -> str | None:
    """Really connect to the project's database; ``None`` when it answers, else the reason."""
    try:
        with psycopg.connect(
            psycopg.conninfo.make_conninfo(database_url, dbname=database_name(ref)), connect_timeout=3
        ) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def server_version(database_url: str) -> str:
    with _superuser(database_url) as conn:
        row = conn.execute("show server_version").fetchone()
    return str(row[0]).split()[0] if row else ""
