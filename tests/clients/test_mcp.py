"""The Supabase MCP server 0.13.0 against the local API, as an AI agent's host drives it:
JSON-RPC over stdio, asserted on what each tool answers."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from .conftest import wait_for
from .mcp import MCPError, MCPSession


def result(text: str) -> Any:
    """The JSON a tool answered (execute_sql wraps rows in an untrusted-data notice)."""
    return json.loads(text)


def rows(text: str) -> list[dict[str, Any]]:
    """The rows inside the server's <untrusted-data-...> boundaries: execute_sql's list, or the
    logs tools' ``{"result": [...]}`` answer."""
    wrapped = result(text)["result"]
    tag = wrapped[wrapped.index("<untrusted-data-") :].split(">", 1)[0] + ">"
    inner = json.loads(wrapped.split(tag)[2].split("</untrusted-data-")[0])
    return inner["result"] if isinstance(inner, dict) else inner


def test_account_tools(mcp: MCPSession, project: dict[str, Any]) -> None:
    ref = project["ref"]
    listed = result(mcp.call("list_projects"))["projects"]
    assert any(p["id"] == ref and p["name"] == "Clients" for p in listed)
    assert result(mcp.call("get_project", id=ref))["status"] == "ACTIVE_HEALTHY"
    orgs = result(mcp.call("list_organizations"))["organizations"]
    assert {"id": "localorganization", "slug": "localorganization", "name": "Local organization"} in orgs
    cost = result(mcp.call("get_cost", type="project", organization_id="localorganization"))
    assert cost["type"] == "project" and "amount" in cost
    confirmed = result(mcp.call("confirm_cost", type="project", recurrence=cost["recurrence"], amount=cost["amount"]))
    assert isinstance(confirmed["confirmation_id"], str) and confirmed["confirmation_id"]


def test_database_tools(mcp: MCPSession, project: dict[str, Any]) -> None:
    ref = project["ref"]
    applied = result(
        mcp.call(
            "apply_migration",
            project_id=ref,
            name="create_notes",
            query="create table public.notes (id bigint primary key, body text not null)",
        )
    )
    assert applied == {"success": True}
    migrations = result(mcp.call("list_migrations", project_id=ref))["migrations"]
    assert [m["name"] for m in migrations][-1] == "create_notes"
    tables = result(mcp.call("list_tables", project_id=ref, schemas=["public"]))["tables"]
    assert any(t["name"] == "public.notes" for t in tables)
    extensions = result(mcp.call("list_extensions", project_id=ref))["extensions"]
    assert any(e["name"] == "hstore" for e in extensions)  # one the cluster ships
    assert rows(mcp.call("execute_sql", project_id=ref, query="select 6 * 7 as answer")) == [{"answer": 42}]
    lints = result(mcp.call("get_advisors", project_id=ref, type="security"))["result"]["lints"]
    assert any(lint["name"] == "rls_disabled_in_public" for lint in lints)
    types = result(mcp.call("generate_typescript_types", project_id=ref))["types"]
    assert "      notes: {\n        Row: {\n          body: string\n          id: number\n" in types


def test_get_logs(mcp: MCPSession, project: dict[str, Any]) -> None:
    mcp.call("execute_sql", project_id=project["ref"], query="select 'logged' as x")
    # The server wraps log rows in its untrusted-data notice, as it does execute_sql's.
    events = rows(mcp.call("get_logs", project_id=project["ref"], service="postgres"))
    assert any("select 'logged' as x" in str(event.get("event_message")) for event in events), events[:3]


def test_query_logs(mcp: MCPSession, project: dict[str, Any]) -> None:
    events = rows(
        mcp.call(
            "query_logs",
            project_id=project["ref"],
            sql="select id, timestamp, event_message from logs where source = 'edge_logs'"
            " order by timestamp desc limit 5",
        )
    )
    assert 0 < len(events) <= 5, "the API calls above are edge logs"
    assert {"id", "timestamp", "event_message"} <= set(events[0])


def test_development_tools(mcp: MCPSession, project: dict[str, Any], http_session: httpx.Client) -> None:
    ref = project["ref"]
    assert result(mcp.call("get_project_url", project_id=ref))["url"].startswith(f"https://{ref}.")
    keys = result(mcp.call("get_publishable_keys", project_id=ref))["keys"]
    anon = next(key for key in http_session.get(f"/v1/projects/{ref}/api-keys").json() if key["name"] == "anon")
    assert any(key["name"] == "anon" and key["api_key"] == anon["api_key"] for key in keys)


def test_edge_function_tools(mcp: MCPSession, project: dict[str, Any]) -> None:
    ref = project["ref"]
    source = "Deno.serve(() => new Response('from mcp'))\n"
    deployed = result(
        mcp.call(
            "deploy_edge_function",
            project_id=ref,
            name="agent-fn",
            entrypoint_path="index.ts",
            files=[{"name": "index.ts", "content": source}, {"name": "lib/a.ts", "content": "export {}\n"}],
        )
    )
    assert deployed["slug"] == "agent-fn" and deployed["status"] == "ACTIVE"
    listed = result(mcp.call("list_edge_functions", project_id=ref))["functions"]
    mine = next(f for f in listed if f["slug"] == "agent-fn")
    assert mine["entrypoint_path"] == "index.ts"  # the server turned the file URL back into a path
    got = result(mcp.call("get_edge_function", project_id=ref, function_slug="agent-fn"))
    assert sorted((f["name"], f["content"]) for f in got["files"]) == [
        ("index.ts", source),
        ("lib/a.ts", "export {}\n"),
    ]
    again = result(
        mcp.call(
            "deploy_edge_function",
            project_id=ref,
            name="agent-fn",
            entrypoint_path="index.ts",
            files=[{"name": "index.ts", "content": source + "// v2\n"}],
        )
    )
    assert again["version"] == deployed["version"] + 1


def test_storage_tools(mcp: MCPSession, project: dict[str, Any], http_session: httpx.Client) -> None:
    ref = project["ref"]
    made = http_session.post(
        f"/v1/projects/{ref}/database/query",
        json={
            "query": "set local role service_role;"
            " insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true)"
        },
    )
    assert made.status_code == 201, made.text
    buckets = result(mcp.call("list_storage_buckets", project_id=ref))["buckets"]
    assert [(b["name"], b["public"]) for b in buckets] == [("avatars", True)]


def test_branching_tools(mcp: MCPSession, project: dict[str, Any], http_session: httpx.Client) -> None:
    ref = project["ref"]
    cost = result(mcp.call("get_cost", type="branch", organization_id="localorganization"))
    confirmation = result(
        mcp.call("confirm_cost", type="branch", recurrence=cost["recurrence"], amount=cost["amount"])
    )["confirmation_id"]
    branch = result(mcp.call("create_branch", project_id=ref, name="agent", confirm_cost_id=confirmation))
    branch_id = branch["id"]

    def listed() -> dict[str, Any] | None:
        found = result(mcp.call("list_branches", project_id=ref))["branches"]
        return next(
            (
                b
                for b in found
                if b["id"] == branch_id
                and b["status"] == "MIGRATIONS_PASSED"
                and b.get("preview_project_status") == "ACTIVE_HEALTHY"
            ),
            None,
        )

    wait_for(listed, timeout=60, what="the branch to be ready")
    branch_ref = listed()["project_ref"]  # type: ignore[index]
    mcp.call("apply_migration", project_id=branch_ref, name="on_branch", query="create table public.on_branch (id int)")
    assert result(mcp.call("merge_branch", branch_id=branch_id)) is not None
    wait_for(
        lambda: "on_branch" in [m["name"] for m in result(mcp.call("list_migrations", project_id=ref))["migrations"]],
        timeout=60,
        what="the merge to reach production",
    )
    assert result(mcp.call("rebase_branch", branch_id=branch_id)) is not None
    assert result(mcp.call("reset_branch", branch_id=branch_id)) is not None
    mcp.call("delete_branch", branch_id=branch_id)
    wait_for(
        lambda: branch_id not in [b["id"] for b in result(mcp.call("list_branches", project_id=ref))["branches"]],
        timeout=30,
        what="the branch to be gone",
    )


def test_pause_and_restore(mcp: MCPSession, http_session: httpx.Client) -> None:
    """Last: on a project of its own, so the others' project stays up."""
    from tests.localapi.conftest import PROJECT_BODY, wait_for_status

    ref = http_session.post("/v1/projects", json={**PROJECT_BODY, "name": "Paused"}).json()["ref"]
    wait_for_status(http_session, ref, "ACTIVE_HEALTHY", timeout=60)
    assert result(mcp.call("pause_project", project_id=ref)) == {"success": True}
    wait_for_status(http_session, ref, "INACTIVE", timeout=30)
    with pytest.raises(MCPError):
        mcp.call("pause_project", project_id=ref)  # only an active project pauses
    assert result(mcp.call("restore_project", project_id=ref)) == {"success": True}
    wait_for_status(http_session, ref, "ACTIVE_HEALTHY", timeout=30)
