"""The branch, action-run, query and migration routes against the OpenAPI document: a valid
request gets a documented status and a body valid by the documented response schema."""

from __future__ import annotations

from typing import Any

import httpx
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

from tests.localapi.test_branches import make_branch, wait_run
from tests.localapi.test_contract import Case, operation, with_components

# In order: they run on one production project ({ref}) and one branch ({branch_id_or_ref}).
BRANCH_CASES = [
    Case(
        "POST",
        "/v1/projects/{ref}/database/query",
        body=lambda: {"query": "select 1 as one", "read_only": True},
        status=201,
    ),
    Case("POST", "/v1/projects/{ref}/database/query/read-only", body=lambda: {"query": "select 1 as one"}, status=201),
    Case(
        "POST",
        "/v1/projects/{ref}/database/migrations",
        body=lambda: {"query": "create table public.w (id int)", "name": "w", "rollback": "drop table public.w"},
        status=200,
    ),
    Case("GET", "/v1/projects/{ref}/database/migrations", status=200),
    Case("GET", "/v1/projects/{ref}/database/migrations/{version}", status=200),
    Case("GET", "/v1/projects/{ref}/branches", status=200),
    Case(
        "POST",
        "/v1/projects/{ref}/branches",
        body=lambda: {"branch_name": "contract-extra", "persistent": False},
        status=201,
    ),
    Case("GET", "/v1/projects/{ref}/branches/{name}", status=200),
    Case("GET", "/v1/branches/{branch_id_or_ref}", status=200),
    Case(
        "PATCH",
        "/v1/branches/{branch_id_or_ref}",
        body=lambda: {"git_branch": "feature/x", "request_review": True},
        status=200,
    ),
    Case("GET", "/v1/branches/{branch_id_or_ref}/diff", params={"included_schemas": "public"}, status=200),
    Case("POST", "/v1/branches/{branch_id_or_ref}/push", body=lambda: {}, status=201),
    Case("GET", "/v1/projects/{branch_ref}/actions", status=200),
    Case("HEAD", "/v1/projects/{branch_ref}/actions", status=200),
    Case("GET", "/v1/projects/{branch_ref}/actions/{run_id}", status=200),
    Case("GET", "/v1/projects/{branch_ref}/actions/{run_id}/logs", status=200),
    Case("POST", "/v1/branches/{branch_id_or_ref}/merge", body=lambda: {}, status=201),
    Case("POST", "/v1/branches/{branch_id_or_ref}/reset", body=lambda: {}, status=201),
    Case("DELETE", "/v1/branches/{branch_id_or_ref}", params={"force": "false"}, status=200),
    Case("POST", "/v1/branches/{branch_id_or_ref}/restore", status=200),
    Case("DELETE", "/v1/projects/{ref}/database/migrations", params={"gte": "0"}, status=200),
]


def test_branch_routes_match_the_document(
    http: httpx.Client, anonymous: httpx.Client, current_openapi_document: dict, active_project: dict[str, Any]
) -> None:
    ref = active_project["ref"]
    branch = make_branch(http, ref, "contract")
    names = {"ref": ref, "branch_id_or_ref": branch["id"], "branch_ref": branch["project_ref"], "name": "contract"}
    for case in BRANCH_CASES:
        op = operation(
            current_openapi_document, Case(case.method, case.path.replace("{branch_ref}", "{ref}"), status=case.status)
        )
        if "{version}" in case.path:
            names["version"] = http.get(f"/v1/projects/{ref}/database/migrations").json()[0]["version"]
        if "{run_id}" in case.path:
            names["run_id"] = http.get(f"/v1/projects/{branch['project_ref']}/actions").json()[0]["id"]
        if case.path.endswith(("/merge", "/reset")):  # one workflow at a time on the branch
            for run in http.get(f"/v1/projects/{branch['project_ref']}/actions").json():
                wait_run(http, branch["project_ref"], run["id"])
        path = case.path.format(**names)
        body = case.body() if case.body else None
        if body is not None:
            OAS30WriteValidator(
                with_components(current_openapi_document, op["requestBody"]["content"]["application/json"]["schema"])
            ).validate(body)
        assert anonymous.request(case.method, path, params=case.params, json=body).status_code == 401
        response = http.request(case.method, path, params=case.params, json=body)
        assert response.status_code == case.status, f"{case.method} {case.path}: {response.status_code} {response.text}"
        assert str(response.status_code) in op["responses"]
        content = op["responses"][str(response.status_code)].get("content")
        if case.method == "HEAD" or (content is None and response.content == b""):
            continue
        if content is None and (case.method, case.path) == ("POST", "/v1/projects/{ref}/database/migrations"):
            assert response.json() == {}, "the MCP server parses a JSON body (docs/client-compatibility.md)"
            continue
        if content is None:  # query answers 201 with rows the document does not describe
            assert isinstance(response.json(), list), case.path
        elif "text/plain" in content:
            assert response.headers["content-type"].startswith("text/plain")
        else:
            OAS30ReadValidator(
                with_components(current_openapi_document, content["application/json"]["schema"])
            ).validate(response.json())
