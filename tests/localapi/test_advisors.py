"""Advisors computed for real: each lint fires on its offending object and clears after the fix."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.localapi.conftest import message, wait_for_status


def run(http: httpx.Client, ref: str, sql: str) -> None:
    response = http.post(f"/v1/projects/{ref}/database/query", json={"query": sql})
    assert response.status_code == 201, response.text


def lints(http: httpx.Client, ref: str, kind: str = "security", **params: str) -> dict[str, dict[str, Any]]:
    response = http.get(f"/v1/projects/{ref}/advisors/{kind}", params=params)
    assert response.status_code == 200, response.text
    return {lint["cache_key"]: lint for lint in response.json()["lints"]}


# (setup SQL, advisor, expected cache_key, expected level, fix SQL)
CASES = [
    (
        "create table public.notes (id int primary key, body text)",
        "security",
        "rls_disabled_in_public_public_notes",
        "ERROR",
        "alter table public.notes enable row level security; create policy p on public.notes for select using (true)",
    ),
    (
        "create table public.posts (id int primary key); create policy readers on public.posts for select using (true)",
        "security",
        "policy_exists_rls_disabled_public_posts",
        "ERROR",
        "alter table public.posts enable row level security",
    ),
    (
        "create table public.locked (id int primary key); alter table public.locked enable row level security",
        "security",
        "rls_enabled_no_policy_public_locked",
        "INFO",
        "create policy p on public.locked for select using (true)",
    ),
    (
        "create table public.t1 (id int primary key); alter table public.t1 enable row level security;"
        " create policy p on public.t1 for select using (true);"
        " create view public.v1 as select id from public.t1",
        "security",
        "security_definer_view_public_v1",
        "ERROR",
        "alter view public.v1 set (security_invoker = on)",
    ),
    (
        "create function public.add_one(i int) returns int language sql as 'select i + 1'",
        "security",
        None,
        "WARN",
        "alter function public.add_one(int) set search_path = ''",
    ),
    (
        "create extension if not exists pg_trgm schema public",
        "security",
        "extension_in_public_pg_trgm",
        "WARN",
        "drop extension pg_trgm; create extension pg_trgm schema extensions",
    ),
    (
        "create view public.user_emails as select id, email from auth.users",
        "security",
        "auth_users_exposed_public_user_emails",
        "ERROR",
        "drop view public.user_emails",
    ),
    (
        "create table public.nokey (v text); alter table public.nokey enable row level security;"
        " create policy p on public.nokey for select using (true)",
        "performance",
        "no_primary_key_public_nokey",
        "INFO",
        "alter table public.nokey add column id serial primary key",
    ),
    (
        "create table public.parent (id int primary key);"
        " create table public.child (id int primary key,"
        " parent_id int constraint child_parent_fkey references public.parent (id));"
        " alter table public.parent enable row level security; alter table public.child enable row level security",
        "performance",
        "unindexed_foreign_keys_public_child_child_parent_fkey",
        "INFO",
        "create index child_parent_idx on public.child (parent_id)",
    ),
    (
        "create table public.dup (id int primary key, a int);"
        " create index dup_a1 on public.dup (a); create index dup_a2 on public.dup (a)",
        "performance",
        "duplicate_index_public_dup_{dup_a1,dup_a2}",
        "WARN",
        "drop index public.dup_a2",
    ),
    (
        "create table public.unused (id int primary key, a int); create index unused_a on public.unused (a)",
        "performance",
        "unused_index_public_unused_unused_a",
        "INFO",
        "drop index public.unused_a",
    ),
    (
        "create table public.owned (id int primary key, owner uuid);"
        " alter table public.owned enable row level security;"
        " create policy mine on public.owned for select using (auth.uid() = owner)",
        "performance",
        "auth_rls_init_plan_public_owned_mine",
        "WARN",
        "drop policy mine on public.owned;"
        " create policy mine on public.owned for select using ((select auth.uid()) = owner)",
    ),
    (
        "create table public.shared (id int primary key); alter table public.shared enable row level security;"
        " create policy a on public.shared for select using (true);"
        " create policy b on public.shared for select using (id > 0)",
        "performance",
        "multiple_permissive_policies_public_shared_anon_SELECT",
        "WARN",
        "drop policy b on public.shared",
    ),
    (
        "create table public.meta (id int primary key); alter table public.meta enable row level security;"
        " create policy m on public.meta for select using ((auth.jwt() -> 'user_metadata' ->> 'role') = 'admin')",
        "security",
        "rls_references_user_metadata_public_meta_m",
        "ERROR",
        "drop policy m on public.meta;"
        " create policy m on public.meta for select using ((auth.jwt() -> 'app_metadata' ->> 'role') = 'admin')",
    ),
]


@pytest.mark.parametrize(
    ("setup", "kind", "cache_key", "level", "fix"), CASES, ids=[c[2] or "function_search_path_mutable" for c in CASES]
)
def test_lint_fires_then_clears(
    http: httpx.Client, active_project: dict, setup: str, kind: str, cache_key: str | None, level: str, fix: str
) -> None:
    ref = active_project["ref"]
    before = lints(http, ref, kind)
    run(http, ref, setup)
    after = lints(http, ref, kind)
    new = {key: lint for key, lint in after.items() if key not in before}
    if cache_key is None:  # function_search_path_mutable's key ends with md5(prosrc)
        cache_key = next(key for key in new if key.startswith("function_search_path_mutable_public_add_one_"))
    assert cache_key in new, f"{cache_key} not in {sorted(new)}"
    lint = new[cache_key]
    assert lint["level"] == level and lint["facing"] == "EXTERNAL" and lint["categories"] == [kind.upper()]
    assert lint["remediation"].startswith("https://supabase.com/docs/guides/database/database-linter?lint=")
    assert "`" in lint["detail"] or '"' in lint["detail"]
    run(http, ref, fix)
    assert cache_key not in lints(http, ref, kind)


def test_exposed_schema_lints_follow_the_data_api_config(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    run(
        http,
        ref,
        "create schema private; grant usage on schema private to anon, authenticated;"
        " create table private.hidden (id int primary key); grant select on private.hidden to anon",
    )
    assert "rls_disabled_in_public_private_hidden" not in lints(http, ref)  # private is not served by the API
    assert http.patch(f"/v1/projects/{ref}/postgrest", json={"db_schema": "public,private"}).status_code == 200
    assert "rls_disabled_in_public_private_hidden" in lints(http, ref)


def test_config_lints_come_from_the_stored_config(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    found = lints(http, ref)
    assert {"auth_leaked_password_protection", "password_requirements_min_length", "pitr_not_enabled"} <= set(found)
    assert "auth_otp_long_expiry" not in found
    assert found["auth_leaked_password_protection"]["metadata"] == {"type": "auth", "entity": "Auth"}
    http.patch(
        f"/v1/projects/{ref}/config/auth",
        json={"password_hibp_enabled": True, "password_min_length": 10, "mailer_otp_exp": 7200},
    )
    http.patch(f"/v1/projects/{ref}/billing/addons", json={"addon_type": "pitr", "addon_variant": "pitr_7"})
    found = lints(http, ref)
    assert (
        "auth_otp_long_expiry" in found
        and "auth_leaked_password_protection" not in found
        and "pitr_not_enabled" not in found
    )
    assert not [
        key
        for key in lints(http, ref, lint_type="sql")
        if not key.startswith(("rls", "function", "extension", "auth_users", "security", "policy"))
    ]


def test_ordering_filters_and_refusals(http: httpx.Client, active_project: dict, create_project: Any) -> None:
    ref = active_project["ref"]
    run(
        http,
        ref,
        "create table public.a (v int); create table public.b (id int primary key);"
        " alter table public.b enable row level security",
    )
    levels = [lint["level"] for lint in http.get(f"/v1/projects/{ref}/advisors/security").json()["lints"]]
    assert levels == sorted(levels, key=["ERROR", "WARN", "INFO"].index)
    assert http.get(f"/v1/projects/{ref}/advisors/security", params={"lint_type": "all"}).status_code == 400
    assert http.get("/v1/projects/abcdefghijklmnopqrst/advisors/performance").status_code == 404
    starting = create_project()["ref"]
    refused = http.get(f"/v1/projects/{starting}/advisors/security")
    assert refused.status_code == 400 and "ACTIVE_HEALTHY" in message(refused)
    wait_for_status(http, starting, "ACTIVE_HEALTHY")
