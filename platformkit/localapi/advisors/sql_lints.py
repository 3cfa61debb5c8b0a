"""The SQL lints. Each query returns ``detail``, ``metadata`` (jsonb) and ``cache_key`` per
finding; the constant fields (name, title, level, category, description) are declared beside it.
Names, levels, categories, ``cache_key`` forms and remediation links follow the hosted advisor
(Supabase's splinter); the SQL here is our own.

A long message is written as adjacent string literals on separate lines, which SQL joins into
one (as Python does), so no line of SQL outgrows the source's line length."""

from __future__ import annotations

from dataclasses import dataclass

# Schemas the advisor never lints (Supabase's own and extensions').
EXCLUDED = (
    "'_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_config', '_timescaledb_internal', 'auth', 'cron',"
    " 'extensions', 'graphql', 'graphql_public', 'information_schema', 'net', 'pgmq', 'pgroonga', 'pgsodium',"
    " 'pgsodium_masks', 'pgtle', 'pgbouncer', 'pg_catalog', 'pg_toast', 'realtime', 'repack', 'storage',"
    " 'supabase_functions', 'supabase_migrations', 'tiger', 'topology', 'vault'"
)
USER_SCHEMA = (
    f"n.nspname not in ({EXCLUDED}) and n.nspname not like 'pg\\_temp%%' and n.nspname not like 'pg\\_toast%%'"
)
# What PostgREST serves: the schemas named in pgrst.db_schemas (set by the runner).
EXPOSED = (
    "n.nspname = any(array(select trim(s) from unnest(string_to_array("
    "coalesce(current_setting('pgrst.db_schemas', true), ''), ',')) s))"
)
API_READABLE = (
    "(pg_catalog.has_table_privilege('anon', c.oid, 'SELECT')"
    " or pg_catalog.has_table_privilege('authenticated', c.oid, 'SELECT'))"
)
NOT_EXTENSION_MEMBER = "not exists (select 1 from pg_catalog.pg_depend d where d.objid = c.oid and d.deptype = 'e')"
SECURITY_INVOKER = "coalesce(array_to_string(c.reloptions, ','), '') ~* 'security_invoker=(1|true|yes|on)'"


def per_relation(name: str, detail: str, condition: str, kind: str = "table") -> str:
    """A lint with one finding per table or view matching ``condition`` (``c`` the relation,
    ``n`` its schema); ``detail`` formats the schema and the relation's name."""
    return f"""
select format('{detail}', n.nspname, c.relname),
       jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', '{kind}'),
       format('{name}_%%s_%%s', n.nspname, c.relname)
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where {condition}
order by n.nspname, c.relname"""


@dataclass(frozen=True)
class SqlLint:
    number: str
    name: str
    title: str
    level: str
    category: str
    description: str
    sql: str

    @property
    def remediation(self) -> str:
        return f"https://supabase.com/docs/guides/database/database-linter?lint={self.number}_{self.name}"


SQL_LINTS: tuple[SqlLint, ...] = (
    SqlLint(
        "0001",
        "unindexed_foreign_keys",
        "Unindexed foreign keys",
        "INFO",
        "PERFORMANCE",
        "Identifies foreign key constraints without a covering index, which can impact database performance.",
        f"""
select format('Table `%%s.%%s` has a foreign key `%%s` without a covering index.'
              ' This can lead to suboptimal query performance.', n.nspname, c.relname, con.conname),
       jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'table',
                          'fkey_name', con.conname, 'fkey_columns', to_jsonb(con.conkey)),
       format('unindexed_foreign_keys_%%s_%%s_%%s', n.nspname, c.relname, con.conname)
from pg_catalog.pg_constraint con
join pg_catalog.pg_class c on c.oid = con.conrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where con.contype = 'f' and {USER_SCHEMA} and {NOT_EXTENSION_MEMBER}
  and not exists (
    select 1 from pg_catalog.pg_index i
    where i.indrelid = con.conrelid and i.indisvalid
      and (select array_agg(k order by k) from unnest((i.indkey::int2[])[0:cardinality(con.conkey) - 1]) k)
        = (select array_agg(k order by k) from unnest(con.conkey) k))
order by n.nspname, c.relname, con.conname""",
    ),
    SqlLint(
        "0002",
        "auth_users_exposed",
        "Exposed Auth Users",
        "ERROR",
        "SECURITY",
        "Detects if auth.users is exposed to anon or authenticated roles via a view or materialized view in schemas"
        " exposed to PostgREST, potentially compromising user data security.",
        f"""
select format('View/Materialized View "%%s" in the %%s schema may expose `auth.users` data'
              ' to anon or authenticated roles.', c.relname, n.nspname),
       jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'view', 'exposed_to',
         to_jsonb(array_remove(array[case when pg_catalog.has_table_privilege('anon', c.oid, 'SELECT')
                                          then 'anon' end,
                                     case when pg_catalog.has_table_privilege('authenticated', c.oid, 'SELECT')
                                          then 'authenticated' end], null))),
       format('auth_users_exposed_%%s_%%s', n.nspname, c.relname)
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('v', 'm') and {EXPOSED} and {API_READABLE}
  and exists (select 1 from pg_catalog.pg_rewrite r join pg_catalog.pg_depend d on d.objid = r.oid
              where r.ev_class = c.oid and d.refobjid = 'auth.users'::regclass and d.deptype = 'n')
  and (c.relkind = 'm' or not ({SECURITY_INVOKER})
       or not (select relrowsecurity from pg_catalog.pg_class where oid = 'auth.users'::regclass))
order by n.nspname, c.relname""",
    ),
    SqlLint(
        "0003",
        "auth_rls_initplan",
        "Auth RLS Initialization Plan",
        "WARN",
        "PERFORMANCE",
        "Detects if calls to `current_setting()` and `auth.<function>()` in RLS policies are being unnecessarily"
        " re-evaluated for each row",
        f"""
select format('Table `%%s.%%s` has a row level security policy `%%s` that re-evaluates current_setting()'
              ' or auth.<function>() for each row. This produces suboptimal query performance at scale.'
              ' Resolve the issue by replacing `auth.<function>()` with `(select auth.<function>())`.'
              ' See [docs](https://supabase.com/docs/guides/database/postgres/row-level-security'
              '#call-functions-with-select) for more info.', n.nspname, c.relname, p.policyname),
       jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'table'),
       format('auth_rls_init_plan_%%s_%%s_%%s', n.nspname, c.relname, p.policyname)
from pg_catalog.pg_policies p
join pg_catalog.pg_namespace n on n.nspname = p.schemaname
join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
where c.relrowsecurity and {USER_SCHEMA}
  and exists (select 1
              from unnest(array['auth.uid()', 'auth.jwt()', 'auth.role()', 'auth.email()', 'current_setting(']) f
              where lower(coalesce(p.qual, '') || ' ' || coalesce(p.with_check, '')) like '%%' || f || '%%'
                and lower(coalesce(p.qual, '') || ' ' || coalesce(p.with_check, '')) not like '%%select ' || f || '%%')
order by n.nspname, c.relname, p.policyname""",
    ),
    SqlLint(
        "0004",
        "no_primary_key",
        "No Primary Key",
        "INFO",
        "PERFORMANCE",
        "Detects if a table does not have a primary key. Tables without a primary key can be inefficient to interact"
        " with at scale.",
        per_relation(
            "no_primary_key",
            "Table `%%s.%%s` does not have a primary key",
            f"c.relkind = 'r' and {USER_SCHEMA} and {NOT_EXTENSION_MEMBER}"
            " and not exists (select 1 from pg_catalog.pg_index i where i.indrelid = c.oid and i.indisprimary)",
        ),
    ),
    SqlLint(
        "0005",
        "unused_index",
        "Unused Index",
        "INFO",
        "PERFORMANCE",
        "Detects if an index has never been used and may be a candidate for removal.",
        f"""
select format('Index `%%s` on table `%%s.%%s` has not been used', s.indexrelname, n.nspname, c.relname),
       jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'table'),
       format('unused_index_%%s_%%s_%%s', n.nspname, c.relname, s.indexrelname)
from pg_catalog.pg_stat_user_indexes s
join pg_catalog.pg_index i on i.indexrelid = s.indexrelid
join pg_catalog.pg_class c on c.oid = s.relid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where s.idx_scan = 0 and not i.indisunique and not i.indisprimary and {USER_SCHEMA} and {NOT_EXTENSION_MEMBER}
order by n.nspname, c.relname, s.indexrelname""",
    ),
    # The local cluster holds every project's roles; a policy "to public" is expanded to the
    # roles a project's API uses rather than to every role in the cluster.
    SqlLint(
        "0006",
        "multiple_permissive_policies",
        "Multiple Permissive Policies",
        "WARN",
        "PERFORMANCE",
        "Detects if multiple permissive row level security policies are present on a table for the same `role` and"
        " `action` (e.g. insert). Multiple permissive policies are suboptimal for performance as each policy must be"
        " executed for every relevant query.",
        f"""
with expanded as (
  select n.nspname as schema_name, c.relname as table_name, pol.polname, r.rolname, a.action
  from pg_catalog.pg_policy pol
  join pg_catalog.pg_class c on c.oid = pol.polrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  join pg_catalog.pg_roles r
    on (r.oid = any(pol.polroles)
        or (pol.polroles = '{{0}}' and r.rolname in ('anon', 'authenticated', 'authenticator', 'dashboard_user')))
  cross join lateral unnest(case pol.polcmd when 'r' then array['SELECT'] when 'a' then array['INSERT']
                                            when 'w' then array['UPDATE'] when 'd' then array['DELETE']
                                            else array['SELECT', 'INSERT', 'UPDATE', 'DELETE'] end) a(action)
  where pol.polpermissive and {USER_SCHEMA}
    and r.rolname not like 'pg\\_%%' and r.rolname not like 'supabase%%admin' and not r.rolbypassrls
)
select format('Table `%%s.%%s` has multiple permissive policies for role `%%s` for action `%%s`.'
              ' Policies include `%%s`', schema_name, table_name, rolname, action,
              array_agg(polname order by polname)::text),
       jsonb_build_object('schema', schema_name, 'name', table_name, 'type', 'table'),
       format('multiple_permissive_policies_%%s_%%s_%%s_%%s', schema_name, table_name, rolname, action)
from expanded
group by schema_name, table_name, rolname, action
having count(*) > 1
order by schema_name, table_name, rolname, action""",
    ),
    SqlLint(
        "0007",
        "policy_exists_rls_disabled",
        "Policy Exists RLS Disabled",
        "ERROR",
        "SECURITY",
        "Detects cases where row level security (RLS) policies have been created, but RLS has not been enabled for the"
        " underlying table.",
        f"""
select format('Table `%%s.%%s` has RLS policies but RLS is not enabled on the table. Policies include %%s.',
              n.nspname, c.relname, array_agg(p.polname order by p.polname)::text),
       jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'table'),
       format('policy_exists_rls_disabled_%%s_%%s', n.nspname, c.relname)
from pg_catalog.pg_policy p
join pg_catalog.pg_class c on c.oid = p.polrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind = 'r' and not c.relrowsecurity and {USER_SCHEMA}
group by n.nspname, c.relname
order by n.nspname, c.relname""",
    ),
    SqlLint(
        "0008",
        "rls_enabled_no_policy",
        "RLS Enabled No Policy",
        "INFO",
        "SECURITY",
        "Detects cases where row level security (RLS) has been enabled on a table but no RLS policies have been"
        " created.",
        per_relation(
            "rls_enabled_no_policy",
            "Table `%%s.%%s` has RLS enabled, but no policies exist",
            f"c.relkind = 'r' and c.relrowsecurity and {USER_SCHEMA} and {NOT_EXTENSION_MEMBER}"
            " and not exists (select 1 from pg_catalog.pg_policy p where p.polrelid = c.oid)",
        ),
    ),
    SqlLint(
        "0009",
        "duplicate_index",
        "Duplicate Index",
        "WARN",
        "PERFORMANCE",
        "Detects cases where two ore more identical indexes exist.",
        f"""
select format('Table `%%s.%%s` has identical indexes %%s. Drop all except one of them',
              n.nspname, c.relname, array_agg(ci.relname order by ci.relname)::text),
       jsonb_build_object('schema', n.nspname, 'name', c.relname,
                          'type', case c.relkind when 'm' then 'materialized view' else 'table' end,
                          'indexes', to_jsonb(array_agg(ci.relname::text order by ci.relname))),
       format('duplicate_index_%%s_%%s_%%s', n.nspname, c.relname, array_agg(ci.relname order by ci.relname)::text)
from pg_catalog.pg_index i
join pg_catalog.pg_class ci on ci.oid = i.indexrelid
join pg_catalog.pg_class c on c.oid = i.indrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'm') and {USER_SCHEMA} and {NOT_EXTENSION_MEMBER}
group by n.nspname, c.relname, c.relkind,
         regexp_replace(pg_catalog.pg_get_indexdef(i.indexrelid),
                        '^CREATE (UNIQUE )?INDEX \\S+ ON', 'CREATE \\1INDEX ON')
having count(*) > 1
order by n.nspname, c.relname""",
    ),
    SqlLint(
        "0010",
        "security_definer_view",
        "Security Definer View",
        "ERROR",
        "SECURITY",
        "Detects views defined with the SECURITY DEFINER property. These views enforce Postgres permissions and row"
        " level security policies (RLS) of the view creator, rather than that of the querying user",
        per_relation(
            "security_definer_view",
            "View `%%s.%%s` is defined with the SECURITY DEFINER property",
            f"c.relkind = 'v' and {EXPOSED} and {API_READABLE} and not ({SECURITY_INVOKER}) and {NOT_EXTENSION_MEMBER}",
            kind="view",
        ),
    ),
    SqlLint(
        "0011",
        "function_search_path_mutable",
        "Function Search Path Mutable",
        "WARN",
        "SECURITY",
        "Detects functions where the search_path parameter is not set.",
        f"""
select format('Function `%%s.%%s` has a role mutable search_path', n.nspname, c.proname),
       jsonb_build_object('schema', n.nspname, 'name', c.proname, 'type', 'function'),
       format('function_search_path_mutable_%%s_%%s_%%s', n.nspname, c.proname, md5(c.prosrc))
from pg_catalog.pg_proc c
join pg_catalog.pg_namespace n on n.oid = c.pronamespace
where {USER_SCHEMA} and {NOT_EXTENSION_MEMBER}
  and not exists (select 1 from unnest(coalesce(c.proconfig, '{{}}')) setting where setting like 'search_path=%%')
order by n.nspname, c.proname""",
    ),
    SqlLint(
        "0013",
        "rls_disabled_in_public",
        "RLS Disabled in Public",
        "ERROR",
        "SECURITY",
        "Detects cases where row level security (RLS) has not been enabled on tables in schemas exposed to PostgREST",
        per_relation(
            "rls_disabled_in_public",
            "Table `%%s.%%s` is public, but RLS has not been enabled.",
            f"c.relkind = 'r' and not c.relrowsecurity and {EXPOSED} and {API_READABLE} and {USER_SCHEMA}",
        ),
    ),
    SqlLint(
        "0014",
        "extension_in_public",
        "Extension in Public",
        "WARN",
        "SECURITY",
        "Detects extensions installed in the `public` schema.",
        """
select format('Extension `%%s` is installed in the public schema. Move it to another schema.', e.extname),
       jsonb_build_object('schema', n.nspname, 'name', e.extname, 'type', 'extension'),
       format('extension_in_public_%%s', e.extname)
from pg_catalog.pg_extension e
join pg_catalog.pg_namespace n on n.oid = e.extnamespace
where n.nspname = 'public' and e.extname <> 'plpgsql'
order by e.extname""",
    ),
    SqlLint(
        "0015",
        "rls_references_user_metadata",
        "RLS references user metadata",
        "ERROR",
        "SECURITY",
        "Detects when Supabase Auth user_metadata is referenced insecurely in a row level security (RLS) policy.",
        f"""
select format('Table `%%s.%%s` has a row level security policy `%%s` that references Supabase Auth `user_metadata`.'
              ' `user_metadata` is editable by end users and should never be used in a security context.',
              n.nspname, c.relname, p.policyname),
       jsonb_build_object('schema', n.nspname, 'name', c.relname, 'type', 'table'),
       format('rls_references_user_metadata_%%s_%%s_%%s', n.nspname, c.relname, p.policyname)
from pg_catalog.pg_policies p
join pg_catalog.pg_namespace n on n.nspname = p.schemaname
join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
where {USER_SCHEMA}
  and (coalesce(p.qual, '') || ' ' || coalesce(p.with_check, ''))
      ~* '(auth\\.jwt\\(\\)|request\\.jwt\\.claims).*user_metadata'
order by n.nspname, c.relname, p.policyname""",
    ),
)
