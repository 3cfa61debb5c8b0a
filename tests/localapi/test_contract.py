"""The local API against the real API's contract (../shared/.../openapi.json): every route it
serves is a documented operation; for each, a request valid by the document's request schema
gets a status the document lists and a body valid by the document's response schema."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

from platformkit.localapi import urls
from tests.conftest import OPENAPI_PATH
from tests.localapi.conftest import DEFAULT_ORG, PROJECT_BODY, wait_for_status, wait_until_available

# Documented with no body, answered {} because the MCP server parses one (docs/client-compatibility.md).
EMPTY_JSON_FOR_CLIENTS = {
    ("POST", "/v1/projects/{ref}/pause"),
    ("POST", "/v1/projects/{ref}/restore"),
    ("POST", "/v1/projects/{ref}/database/migrations"),
}


def served_operations() -> set[tuple[str, str]]:
    """(METHOD, /path/{param}) for each route in the local API's URLconf, but the catch-all."""
    served = set()
    for pattern in urls.urlpatterns:
        route = str(pattern.pattern)
        if route == "^" or route.startswith(
            ("local/", "^project/")
        ):  # the catch-all; pages standing in for Supabase's UI; function invoke URLs
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        served |= {(method, path) for method in pattern.callback.methods}
    return served


class Case:
    """One documented operation: how to build its request, given a live project and organization."""

    def __init__(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Callable[[], Any] | None = None,
        status: int,
    ) -> None:
        self.method, self.path, self.params, self.body, self.status = method, path, params or {}, body, status


CASES = [
    Case("GET", "/v1/organizations", status=200),
    Case("POST", "/v1/organizations", body=lambda: {"name": "Contract org"}, status=201),
    Case("GET", "/v1/organizations/{slug}", status=200),
    Case("GET", "/v1/organizations/{slug}/projects", params={"limit": 5, "sort": "created_desc"}, status=200),
    Case("GET", "/v1/projects", status=200),
    Case("POST", "/v1/projects", body=lambda: PROJECT_BODY, status=201),
    Case(
        "GET",
        "/v1/projects/available-regions",
        params={"organization_slug": DEFAULT_ORG, "continent": "EU"},
        status=200,
    ),
    Case("GET", "/v1/projects/{ref}", status=200),
    Case("PATCH", "/v1/projects/{ref}", body=lambda: {"name": "Contract renamed"}, status=200),
    Case(
        "GET",
        "/v1/projects/{ref}/health",
        params={"services": ["auth", "db", "rest", "storage", "realtime", "pooler"]},
        status=200,
    ),
    Case("GET", "/v1/projects/{ref}/restore", status=200),
    Case("POST", "/v1/projects/{ref}/secrets", body=lambda: [{"name": "OPENAI_API_KEY", "value": "sk-1"}], status=201),
    Case("GET", "/v1/projects/{ref}/secrets", status=200),
    Case("DELETE", "/v1/projects/{ref}/secrets", body=lambda: ["OPENAI_API_KEY"], status=200),
    Case(
        "POST",
        "/v1/projects/{ref}/api-keys",
        params={"reveal": "true"},
        body=lambda: {"type": "secret", "name": "default", "secret_jwt_template": {"role": "service_role"}},
        status=201,
    ),
    Case("GET", "/v1/projects/{ref}/api-keys", params={"reveal": "false"}, status=200),
    Case("GET", "/v1/projects/{ref}/api-keys/{id}", status=200),
    Case("DELETE", "/v1/projects/{ref}/api-keys/{id}", status=200),
    Case("GET", "/v1/projects/{ref}/database/backups", status=200),
    Case("POST", "/v1/projects/{ref}/database/backups/restore-point", body=lambda: {"name": "contract"}, status=201),
    Case("GET", "/v1/projects/{ref}/database/backups/restore-point", params={"name": "contract"}, status=200),
    Case("POST", "/v1/projects/{ref}/database/backups/undo", body=lambda: {"name": "contract"}, status=201),
    Case(
        "POST",
        "/v1/projects/{ref}/database/backups/restore-pitr",
        body=lambda: {"recovery_time_target_unix": int(time.time())},
        status=201,
    ),
    Case("GET", "/v1/projects/{ref}/config/auth", status=200),
    Case(
        "PATCH",
        "/v1/projects/{ref}/config/auth",
        body=lambda: {"site_url": "https://app.example.com", "mailer_otp_exp": 1800},
        status=200,
    ),
    Case("GET", "/v1/projects/{ref}/postgrest", status=200),
    Case("GET", "/v1/projects/{ref}/config/database/pooler", status=200),
    Case(
        "PATCH", "/v1/projects/{ref}/postgrest", body=lambda: {"max_rows": 500, "db_schema": "public,api"}, status=200
    ),
    Case("GET", "/v1/projects/{ref}/config/storage", status=200),
    Case(
        "PATCH",
        "/v1/projects/{ref}/config/storage",
        body=lambda: {"fileSizeLimit": 10485760, "features": {"imageTransformation": {"enabled": True}}},
        status=200,
    ),
    Case("GET", "/v1/projects/{ref}/config/realtime", status=200),
    Case("PATCH", "/v1/projects/{ref}/config/realtime", body=lambda: {"max_concurrent_users": 500}, status=204),
    Case("GET", "/v1/projects/{ref}/advisors/security", status=200),
    Case("GET", "/v1/projects/{ref}/advisors/security", params={"lint_type": "sql"}, status=200),
    Case("GET", "/v1/projects/{ref}/advisors/performance", status=200),
    Case(
        "GET",
        "/v1/projects/{ref}/analytics/endpoints/logs",
        params={"sql": "select id, timestamp, event_message from logs where source = 'postgres_logs' limit 5"},
        status=200,
    ),
    Case("GET", "/v1/projects/{ref}/analytics/endpoints/logs.all", status=200),
    Case(
        "GET",
        "/v1/projects/{ref}/analytics/endpoints/logs.all",
        params={"sql": "select id, timestamp, event_message from postgres_logs limit 5"},
        status=200,
    ),
    Case("GET", "/v1/projects/{ref}/analytics/endpoints/usage.api-counts", params={"interval": "1hr"}, status=200),
    Case("GET", "/v1/projects/{ref}/analytics/endpoints/usage.api-requests-count", status=200),
    Case(
        "POST",
        "/v1/projects/{ref}/functions",
        body=lambda: {
            "slug": "hello",
            "name": "Hello",
            "body": "Deno.serve(() => new Response('hi'))",
            "verify_jwt": False,
        },
        status=201,
    ),
    Case("POST", "/v1/projects/{ref}/functions/deploy", params={"slug": "hello"}, status=201),
    Case("GET", "/v1/projects/{ref}/functions", status=200),
    Case("GET", "/v1/projects/{ref}/functions/{function_slug}", status=200),
    Case(
        "PATCH",
        "/v1/projects/{ref}/functions/{function_slug}",
        params={"verify_jwt": "true"},
        body=lambda: {"name": "Hello again"},
        status=200,
    ),
    Case(
        "PUT",
        "/v1/projects/{ref}/functions",
        body=lambda: [{"id": MADE["function_id"], "slug": "hello", "name": "Hello", "status": "ACTIVE", "version": 2}],
        status=200,
    ),
    Case("GET", "/v1/projects/{ref}/functions/{function_slug}/body", status=200),
    Case("DELETE", "/v1/projects/{ref}/functions/{function_slug}", status=200),
    Case("GET", "/v1/projects/{ref}/billing/addons", status=200),
    Case(
        "PATCH",
        "/v1/projects/{ref}/billing/addons",
        body=lambda: {"addon_type": "ipv4", "addon_variant": "ipv4_default"},
        status=200,
    ),
    Case("DELETE", "/v1/projects/{ref}/billing/addons/{addon_variant}", status=200),
    Case("POST", "/v1/projects/{ref}/claim-token", status=200),
    Case("GET", "/v1/projects/{ref}/claim-token", status=200),
    Case("GET", "/v1/organizations/{slug}/project-claim/{token}", status=200),
    Case("POST", "/v1/organizations/{slug}/project-claim/{token}", status=204),
    Case("DELETE", "/v1/projects/{ref}/claim-token", status=204),
    # The document lists 204; the real endpoint redirects into Supabase's UI (the seed follows
    # it with ``curl -L``), and so does the local API, into its stand-in page.
    Case(
        "GET",
        "/v1/oauth/authorize/project-claim",
        params={
            "project_ref": "{ref}",
            "client_id": "66666666-6666-4666-8666-666666666666",
            "response_type": "code",
            "redirect_uri": "https://app.example.com/claimed",
        },
        status=303,
    ),
    Case("GET", "/v1/projects/{ref}/types/typescript", params={"included_schemas": "public,storage"}, status=200),
    Case("GET", "/v1/projects/{ref}/storage/buckets", status=200),
    Case("GET", "/v1/snippets", params={"project_ref": "{ref}", "limit": "10"}, status=200),
    Case("GET", "/v1/snippets/{id}", status=200),
    Case("POST", "/v1/projects/{ref}/restart", status=200),
    # Order matters from here: pause, then restore, then delete the same project.
    Case("POST", "/v1/projects/{ref}/pause", status=200),
    Case("POST", "/v1/projects/{ref}/restore", status=200),
    Case("DELETE", "/v1/projects/{ref}", status=200),
]


MADE: dict[str, str] = {}  # ids the cases create, for the request bodies of later cases
LINTED_SCHEMA = """
create table public.open (v int); create table public.p (id int primary key); create policy x on public.p using (true);
create table public.c (id int primary key, p int references public.p (id), a int);
create index c1 on public.c (a); create index c2 on public.c (a);
create view public.v as select * from public.open; create view public.u as select id from auth.users;
create function public.f() returns int language sql as 'select 1'; create extension if not exists pg_trgm schema public;
"""


# Served beside the document: the local API's way to make and delete snippets (the real API only reads them).
LOCAL_EXTENSIONS = {("POST", "/v1/snippets"), ("DELETE", "/v1/snippets/{id}")}


def added_operations() -> dict[str, dict[str, Any]]:
    """The operations the newer document added (v1-delta.json beside openapi.json), by path."""
    delta = OPENAPI_PATH.parent / "v1-delta.json"
    return json.loads(delta.read_text())["added"] if delta.exists() else {}


def operation(document: dict, case: Case) -> dict[str, Any]:
    found = document["paths"].get(case.path, {}).get(case.method.lower())
    return found if found is not None else added_operations()[case.path][case.method.lower()]


def without_bare_discriminators(node: Any) -> Any:
    """The document puts a ``discriminator`` without a ``mapping`` on inline ``oneOf``s; the
    validator would look its values up as ``#/components/schemas/<value>``, which do not exist.
    The ``oneOf`` alone still decides which branch an instance matches."""
    if isinstance(node, dict):
        return {
            key: without_bare_discriminators(value)
            for key, value in node.items()
            if not (key == "discriminator" and "mapping" not in value)
        }
    if isinstance(node, list):
        return [without_bare_discriminators(item) for item in node]
    return node


def with_components(document: dict, schema: dict) -> dict:
    """The schema with the document's components beside it, so its ``#/components`` refs resolve."""
    return without_bare_discriminators({**schema, "components": document["components"]})


def test_every_served_route_is_a_documented_operation(current_openapi_document: dict) -> None:
    served = served_operations()
    undocumented = sorted(
        f"{method} {path}"
        for method, path in served - LOCAL_EXTENSIONS
        if method.lower() not in current_openapi_document["paths"].get(path, {})
    )
    assert not undocumented, f"served but not in the OpenAPI document: {undocumented}"
    from tests.localapi.test_branch_contract import BRANCH_CASES

    cases = [*CASES, *(Case(c.method, c.path.replace("{branch_ref}", "{ref}"), status=c.status) for c in BRANCH_CASES)]
    assert served - LOCAL_EXTENSIONS == {(case.method, case.path) for case in cases}, (
        "every served operation needs a contract case"
    )


def test_responses_match_the_document(
    http: httpx.Client,
    anonymous: httpx.Client,
    current_openapi_document: dict,
    create_project: Callable[..., dict[str, Any]],
    localapi: Any,
) -> None:
    ref = wait_for_status(http, create_project()["ref"], "ACTIVE_HEALTHY")["ref"]
    # Objects every SQL lint the advisors serve finds, so their answers are checked too.
    assert http.post(f"/v1/projects/{ref}/database/query", json={"query": LINTED_SCHEMA}).status_code == 201
    checked = []
    made: dict[str, str] = {}  # ids of things a case created, for the cases after it
    for case in CASES:
        op = operation(current_openapi_document, case)
        documented_codes = set(op["responses"])
        slug = made.get("org_slug", DEFAULT_ORG) if "project-claim" in case.path else DEFAULT_ORG
        path = case.path.format(
            ref=ref,
            slug=slug,
            id=made.get("snippet_id" if case.path.startswith("/v1/snippets/") else "api_key_id", ""),
            token=made.get("claim_token", ""),
            addon_variant="ipv4_default",
            function_slug="hello",
        )
        case_params = {
            key: value.format(ref=ref) if isinstance(value, str) else value for key, value in case.params.items()
        }
        if case.path.endswith(
            (
                "/undo",
                "/restore-pitr",
                "/pause",
                "/restart",
                "/config/auth",
                "/billing/addons",
                "/security",
                "/performance",
            )
        ) or (case.method, case.path) == ("DELETE", "/v1/projects/{ref}"):
            wait_for_status(http, ref, "ACTIVE_HEALTHY")  # an undo or PITR restore runs first (409 meanwhile)
        if case.path.endswith("/undo"):
            wait_until_available(http, ref, "contract")
        if case.path == "/v1/snippets" and "snippet_id" not in made:  # made through the local extension
            snippet = http.post("/v1/snippets", json={"project_ref": ref, "name": "Contract", "sql": "select 1"})
            made["snippet_id"] = snippet.json()["id"]
        if case.path.endswith("/restore-pitr"):
            localapi.api.backups.set_pitr(ref, 7)  # its first snapshot is taken now
            time.sleep(1.1)  # the target (whole seconds) must fall after it
        body = case.body() if case.body else None
        if body is not None:
            request_schema = op["requestBody"]["content"]["application/json"]["schema"]
            OAS30WriteValidator(with_components(current_openapi_document, request_schema)).validate(body)
        for parameter in op.get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] in case_params:
                OAS30WriteValidator(parameter["schema"]).validate(case_params[parameter["name"]])

        unauthorized = anonymous.request(case.method, path, params=case_params, json=body)
        assert unauthorized.status_code == 401, f"{case.method} {case.path}"
        # A few operations (available-regions) document their success only; the rest list 401.
        assert "401" in documented_codes or documented_codes == {str(case.status)}, f"{case.method} {case.path}"

        if case.path.endswith("/restore") and case.method == "POST":
            wait_for_status(http, ref, "INACTIVE")
        if case.path.endswith("/functions/deploy"):  # multipart, which the loop's JSON body cannot say
            response = http.post(
                path,
                params=case_params,
                files=[("file", ("index.ts", b"Deno.serve(() => new Response('v2'))", "application/typescript"))],
                data={"metadata": '{"entrypoint_path": "index.ts", "verify_jwt": false}'},
            )
        else:
            response = http.request(case.method, path, params=case_params, json=body)
        assert response.status_code == case.status, f"{case.method} {case.path}: {response.status_code} {response.text}"
        if response.status_code == 303:
            assert http.get(response.headers["location"]).status_code == 200, "the redirect leads to the claim page"
            checked.append((case.method, case.path))
            continue
        assert str(response.status_code) in documented_codes, (
            f"{case.method} {case.path} answered an undocumented {response.status_code}"
        )
        content = op["responses"][str(response.status_code)].get("content")
        if case.path.endswith("/body"):  # the document calls it a StreamableFile; the bundle comes as bytes
            assert response.content.startswith(b"PK"), "the bundle is a zip"
        elif content is None and (case.method, case.path) in EMPTY_JSON_FOR_CLIENTS:
            assert response.json() == {}, f"{case.method} {case.path}: the MCP server parses a JSON body"
        elif content is None:
            assert response.content == b"", f"{case.method} {case.path} documents no body"
        else:
            schema = content["application/json"]["schema"]
            OAS30ReadValidator(with_components(current_openapi_document, schema)).validate(response.json())
        if case.method == "POST" and case.path.endswith("/api-keys"):
            made["api_key_id"] = response.json()["id"]
        if case.method == "POST" and case.path == "/v1/organizations":
            made["org_slug"] = response.json()["slug"]
        if case.method == "POST" and case.path.endswith("/functions"):
            MADE["function_id"] = response.json()["id"]
        if case.method == "POST" and case.path.endswith("/claim-token"):
            made["claim_token"] = response.json()["token"]
        checked.append((case.method, case.path))
    assert len(checked) == len(CASES)


def test_every_project_state_validates(
    http: httpx.Client, current_openapi_document: dict, create_project: Callable[..., dict[str, Any]]
) -> None:
    """Each status a project passes through is one of the document's enum values, in every shape."""
    get_schema = operation(current_openapi_document, Case("GET", "/v1/projects/{ref}", status=200))["responses"]["200"][
        "content"
    ]["application/json"]["schema"]
    org_schema = operation(current_openapi_document, Case("GET", "/v1/organizations/{slug}/projects", status=200))[
        "responses"
    ]["200"]["content"]["application/json"]["schema"]
    health_schema = operation(current_openapi_document, Case("GET", "/v1/projects/{ref}/health", status=200))[
        "responses"
    ]["200"]["content"]["application/json"]["schema"]
    validators = [
        OAS30ReadValidator(with_components(current_openapi_document, schema))
        for schema in (get_schema, org_schema, health_schema)
    ]
    ref = create_project()["ref"]
    seen = set()

    def check() -> None:
        project = http.get(f"/v1/projects/{ref}").json()
        seen.add(project["status"])
        validators[0].validate(project)
        validators[1].validate(http.get(f"/v1/organizations/{DEFAULT_ORG}/projects").json())
        validators[2].validate(
            http.get(f"/v1/projects/{ref}/health", params={"services": ["db", "auth", "rest", "storage"]}).json()
        )

    check()
    wait_for_status(http, ref, "ACTIVE_HEALTHY")
    check()
    http.post(f"/v1/projects/{ref}/pause")
    check()
    wait_for_status(http, ref, "INACTIVE")
    check()
    http.post(f"/v1/projects/{ref}/restore")
    check()
    assert {"COMING_UP", "ACTIVE_HEALTHY", "INACTIVE", "RESTORING"} <= seen


def test_the_contract_is_the_stored_document_with_its_delta(current_openapi_document: dict) -> None:
    """The operations above are checked against today's document: the delta's new operations
    are in it, and its changed ones replaced the stored copies (boolean flags became strings)."""
    from tests.current_document import apply_delta

    paths = current_openapi_document["paths"]
    assert paths["/v1/projects/{ref}/restart"]["post"]["operationId"] == "v1-restart-a-project"
    reveal = next(p for p in paths["/v1/projects/{ref}/api-keys"]["get"]["parameters"] if p["name"] == "reveal")
    assert reveal["schema"]["type"] == "string"
    stored = {"paths": {"/a": {"get": {"x": 1}, "post": {"x": 2}}}, "components": {"schemas": {"S": {"x": 1}}}}
    delta = {"changed": {"/a": {"get": {"x": 3}}}, "removed": ["POST /a"], "schemas": {"S": {"x": 4}}}
    assert apply_delta(stored, delta) == {
        "paths": {"/a": {"get": {"x": 3}}},
        "components": {"schemas": {"S": {"x": 4}}},
    }
    assert stored["paths"]["/a"]["post"] == {"x": 2}, "the stored document is left as it was"
