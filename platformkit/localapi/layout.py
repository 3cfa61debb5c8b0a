"""The SQL that lays an instance out as a Supabase project: its roles, and the ``auth``,
``storage``, ``extensions`` and ``supabase_migrations`` schemas with the tables, functions and
grants that SQL, migrations and advisor lints rely on. Run once into the template data dir
(``instances/template.py``), which every project's instance is a copy of; a change of this text
changes the template's key, so the template is rebuilt."""

from __future__ import annotations

# The roles of one instance, as on the platform. Run once, in the template, by the bootstrap
# superuser ``supabase_admin`` (the local API's alone); ``{sql_password}`` is the API's login
# for tenant SQL. ``postgres`` is the tenant's role: not a superuser, owner of the database
# and of what is made in ``public``; its password (the project's ``db_pass``) is set per instance.
INSTANCE_ROLES_SQL = """
create role postgres login createrole createdb bypassrls;
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create role authenticator login noinherit;
create role supabase_auth_admin login noinherit createrole;
create role supabase_storage_admin login noinherit createrole;
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres with admin option;
-- The local API's session for tenant SQL: NOINHERIT and a member of postgres only, so whatever
-- a query does (RESET ROLE, COMMIT, set_config) it is never more than postgres.
create role platformkit_sql login noinherit password {sql_password};
grant postgres to platformkit_sql;
alter role platformkit_sql set log_statement = 'all';
-- As on the platform, the tenant may read the server's statistics (pg_stat_activity and
-- pg_stat_statements of every role, pg_ls_waldir: what `supabase inspect db` reads).
grant pg_monitor to postgres;
-- The local API's own statements (setting the tenant's password among them) stay out of
-- pg_stat_statements, which pg_monitor lets the tenant read.
alter role supabase_admin set pg_stat_statements.track = 'none';
alter database postgres owner to postgres;
"""

# After PROJECT_SQL: ``auth`` and ``storage`` belong to their services' admin roles (not to a
# superuser, not to the tenant), as on the platform.
SERVICE_OWNERS_SQL = """
do $$
declare item record;
begin
  for item in select n.nspname as schema, o.owner from (values ('auth', 'supabase_auth_admin'),
      ('storage', 'supabase_storage_admin')) as o(schema, owner) join pg_namespace n on n.nspname = o.schema loop
    execute format('alter schema %I owner to %I', item.schema, item.owner);
  end loop;
  for item in select c.oid::regclass as rel, case n.nspname when 'auth' then 'supabase_auth_admin'
      else 'supabase_storage_admin' end as owner
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('auth', 'storage') and c.relkind in ('r', 'p', 'v') loop
    execute format('alter table %s owner to %I', item.rel, item.owner);
  end loop;
  for item in select p.oid::regprocedure as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'auth' loop
    execute format('alter function %s owner to supabase_auth_admin', item.fn);
  end loop;
end $$;
"""


def _claim_function(name: str, claim: str, returns: str) -> str:
    """``auth.<name>()`` as Supabase defines it: one claim of the JWT PostgREST sets per request
    in ``request.jwt.claims`` (or the older per-claim setting)."""
    return f"""
create or replace function auth.{name}() returns {returns} language sql stable as $f$
  select coalesce(
    nullif(current_setting('request.jwt.claim.{claim}', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> '{claim}')
  )::{returns}
$f$;"""


# No braces inside: this text is spliced into PROJECT_SQL, which is formatted with {owner}.
JWT_FUNCTIONS_SQL = """
create or replace function auth.jwt() returns jsonb language sql stable as $f$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$f$;""" + "".join(
    _claim_function(name, claim, returns)
    for name, claim, returns in (("uid", "sub", "uuid"), ("role", "role", "text"), ("email", "email", "text"))
)

# Run inside the instance's database as the superuser; ``{owner}`` is the tenant's role.
PROJECT_SQL = (
    """
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
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb default '{{}}'::jsonb,
  raw_user_meta_data jsonb default '{{}}'::jsonb,
  is_super_admin boolean,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  phone text unique default null,
  phone_confirmed_at timestamptz,
  confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  banned_until timestamptz,
  is_sso_user boolean not null default false,
  deleted_at timestamptz,
  is_anonymous boolean not null default false
);
create unique index if not exists users_email_partial_key on auth.users (email) where is_sso_user = false;
create table if not exists auth.identities (
  id uuid primary key default gen_random_uuid(),
  provider_id text not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  identity_data jsonb not null,
  provider text not null,
  last_sign_in_at timestamptz,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  unique (provider_id, provider)
);
"""
    + JWT_FUNCTIONS_SQL
    + """
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
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  unique (bucket_id, name)
);
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
grant usage on schema storage to anon, authenticated, service_role;
grant all on all tables in schema storage to anon, authenticated, service_role;

-- The Supabase CLI's migration history (version, statements, name; the newer columns too).
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text,
  created_by text,
  idempotency_key text unique,
  rollback text[]
);
create table if not exists supabase_migrations.seed_files (
  path text primary key,
  hash text not null
);

-- public as Supabase grants it: the API roles may use it, and what the owner creates there is
-- reachable by them (row level security is what protects the rows).
grant usage on schema public to anon, authenticated, service_role;
alter default privileges for role {owner} in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role {owner} in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges for role {owner} in schema public grant all on sequences to anon, authenticated, service_role;
grant all on schema public to {owner};
grant usage, create on schema supabase_migrations, extensions to {owner};
grant all on all tables in schema supabase_migrations to {owner};
grant usage on schema auth, storage to {owner};
grant all on all tables in schema auth, storage to {owner};
grant execute on all functions in schema auth to {owner};
"""
)
