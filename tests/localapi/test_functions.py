"""Edge Functions in the local API: deploys (zip and files) checked and versioned, settings,
bundle, delete, invocation with verify_jwt, function logs, and promotion on merge."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from datetime import UTC
from typing import Any

import httpx
import pytest

from platformkit.localapi.functions.bundle import MAX_BUNDLE_BYTES
from tests.localapi.conftest import message

HELLO = (
    b"Deno.serve(async (req) => { console.log('hello from', req.method);"
    b" return new Response(JSON.stringify({ hi: new URL(req.url).searchParams.get('name') }),"
    b" { headers: { 'content-type': 'application/json' } }); });"
)


def zipped(files: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def deploy(http: httpx.Client, ref: str, slug: str, files: list[tuple[str, bytes]], **metadata: Any) -> httpx.Response:
    return http.post(
        f"/v1/projects/{ref}/functions/deploy",
        params={"slug": slug},
        files=[("file", (name, content, "application/octet-stream")) for name, content in files],
        data={"metadata": json.dumps({"entrypoint_path": "index.ts", **metadata})},
    )


def test_zip_and_file_deploys_make_versions(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    first = deploy(
        http,
        ref,
        "hello",
        [("bundle.zip", zipped({"index.ts": HELLO, "deno.json": b'{"imports": {}}'}))],
        verify_jwt=False,
        name="Hello",
    )
    assert first.status_code == 201, first.text
    assert (
        first.json()["version"] == 1 and first.json()["status"] == "ACTIVE" and len(first.json()["ezbr_sha256"]) == 64
    )
    second = deploy(
        http,
        ref,
        "hello",
        [
            ("supabase/functions/hello/index.ts", HELLO + b"\n// v2"),
            ("supabase/functions/hello/util.ts", b"export const x = 1"),
        ],
        import_map_path=None,
    )
    assert (
        second.status_code == 201
        and second.json()["version"] == 2
        and second.json()["ezbr_sha256"] != first.json()["ezbr_sha256"]
    )
    listed = http.get(f"/v1/projects/{ref}/functions").json()
    assert [(f["slug"], f["version"], f["verify_jwt"], f["name"]) for f in listed] == [("hello", 2, False, "Hello")]
    body = http.get(f"/v1/projects/{ref}/functions/hello/body")
    assert body.headers["content-type"] == "application/zip"
    assert sorted(zipfile.ZipFile(io.BytesIO(body.content)).namelist()) == [
        "index.ts",
        "util.ts",
    ]  # the CLI's folder prefix is dropped
    only = http.post(
        f"/v1/projects/{ref}/functions/deploy",
        params={"slug": "hello", "bundleOnly": "true"},
        files=[("file", ("index.ts", HELLO, "application/typescript"))],
        data={"metadata": json.dumps({"entrypoint_path": "index.ts"})},
    )
    assert (
        only.status_code == 201
        and only.json()["version"] == 3
        and http.get(f"/v1/projects/{ref}/functions/hello").json()["version"] == 2
    )


@pytest.mark.parametrize(
    ("files", "metadata", "expected"),
    [
        ([("bundle.zip", zipped({"../evil.ts": b"x", "index.ts": HELLO}))], {}, "Paths may not leave the bundle"),
        ([("../index.ts", HELLO)], {}, "Paths may not leave the bundle"),
        ([("/etc/index.ts", HELLO)], {}, "Absolute paths are not allowed"),
        ([("bundle.zip", zipped({"index.ts": HELLO}, symlink="link.ts"))], {}, "Symbolic links are not allowed"),
        ([("main.ts", HELLO)], {}, "The entrypoint index.ts is not among the uploaded files"),
        (
            [("index.ts", HELLO), ("import_map.json", b"{not json")],
            {"import_map_path": "import_map.json"},
            "is not valid JSON",
        ),
        ([("bundle.zip", b"PK not really")], {}, "not a valid zip"),
    ],
)
def test_bad_bundles_are_refused(
    http: httpx.Client, active_project: dict, files: list, metadata: dict, expected: str
) -> None:
    response = deploy(http, active_project["ref"], "bad", files, **metadata)
    assert response.status_code == 400 and expected in message(response)
    assert http.get(f"/v1/projects/{active_project['ref']}/functions/bad").status_code == 404


def test_oversize_bundle_is_refused(http: httpx.Client, active_project: dict) -> None:
    response = deploy(
        http, active_project["ref"], "big", [("index.ts", HELLO), ("data.bin", b"0" * (MAX_BUNDLE_BYTES + 1))]
    )
    assert response.status_code == 413 and "larger than 20 MB" in message(response)


def test_settings_bulk_update_and_delete(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    created = http.post(f"/v1/projects/{ref}/functions", json={"slug": "made", "name": "Made", "body": HELLO.decode()})
    assert created.status_code == 201 and created.json()["verify_jwt"] is True
    patched = http.patch(f"/v1/projects/{ref}/functions/made", params={"verify_jwt": "false"}, json={"name": "Renamed"})
    assert (
        patched.json()["verify_jwt"] is False and patched.json()["name"] == "Renamed" and patched.json()["version"] == 1
    )
    code = http.patch(f"/v1/projects/{ref}/functions/made", json={"body": "Deno.serve(() => new Response('v2'))"})
    assert code.json()["version"] == 2
    for bad, says in (
        ("../../etc/passwd", "leave the bundle"),
        ("/etc/passwd", "Absolute"),
        ("missing.ts", "not a file of version 2"),
    ):
        refused = http.patch(f"/v1/projects/{ref}/functions/made", params={"entrypoint_path": bad})
        assert refused.status_code == 400 and says in refused.json()["message"]
    assert http.get(f"/v1/projects/{ref}/functions/made").json()["entrypoint_path"].endswith("/source/index.ts")
    bulk = http.put(f"/v1/projects/{ref}/functions", json=[{**code.json(), "verify_jwt": True}])
    assert bulk.status_code == 200 and bulk.json()["functions"][0]["verify_jwt"] is True
    assert (
        http.post(f"/v1/projects/{ref}/functions", json={"slug": "made", "name": "x", "body": "x"}).status_code == 400
    )
    assert http.delete(f"/v1/projects/{ref}/functions/made").status_code == 200
    assert http.get(f"/v1/projects/{ref}/functions/made").status_code == 404


deno_missing = pytest.mark.skipif(
    __import__("platformkit.localapi.functions.runtime", fromlist=["find_deno"]).find_deno() is None,
    reason="no Deno here: `make deno` installs it (make test does)",
)


def _anon(http: httpx.Client, ref: str) -> str:
    return next(key["api_key"] for key in http.get(f"/v1/projects/{ref}/api-keys").json() if key["name"] == "anon")


@deno_missing
def test_invoke_enforces_verify_jwt_and_logs_each_call(http: httpx.Client, localapi: Any, active_project: dict) -> None:
    ref = active_project["ref"]
    assert deploy(http, ref, "hello", [("index.ts", HELLO)], verify_jwt=True).status_code == 201
    url = f"{localapi.base_url}/project/{ref}/functions/v1/hello"
    assert httpx.get(url, params={"name": "x"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer not.a.jwt"}).status_code == 401
    other_project_key = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl"
    assert httpx.get(url, headers={"Authorization": f"Bearer {other_project_key}"}).status_code == 401
    ok = httpx.get(url, params={"name": "Ada"}, headers={"Authorization": f"Bearer {_anon(http, ref)}"}, timeout=30)
    assert ok.status_code == 200 and ok.json() == {"hi": "Ada"} and ok.headers["x-sb-execution-id"]
    logs = http.get(
        f"/v1/projects/{ref}/analytics/endpoints/logs.all",
        params={
            "sql": "select event_message, response.status_code from function_edge_logs"
            " cross join unnest(metadata) as m cross join unnest(m.response) as response order by timestamp",
            "iso_timestamp_start": "2000-01-01T00:00:00Z",
        }
        | _last_minutes(),
    ).json()["result"]
    assert [row["status_code"] for row in logs] == [401, 401, 401, 200]
    lines = http.get(
        f"/v1/projects/{ref}/analytics/endpoints/logs.all",
        params={
            "sql": "select event_message, m.level from function_logs cross join unnest(metadata) as m"
            " where m.event_type = 'Log'"
        }
        | _last_minutes(),
    ).json()["result"]
    assert lines == [{"event_message": "hello from GET", "level": "log"}]


def _last_minutes() -> dict[str, str]:
    from datetime import datetime, timedelta

    now = datetime.now(UTC)
    return {
        "iso_timestamp_start": (now - timedelta(minutes=5)).isoformat(),
        "iso_timestamp_end": (now + timedelta(seconds=5)).isoformat(),
    }


@deno_missing
def test_a_crashing_function_answers_500_with_its_error_logged(
    http: httpx.Client, localapi: Any, active_project: dict
) -> None:
    ref = active_project["ref"]
    deploy(http, ref, "boom", [("index.ts", b"throw new Error('kaboom at import')")], verify_jwt=False)
    response = httpx.post(f"{localapi.base_url}/project/{ref}/functions/v1/boom", content=b"{}", timeout=30)
    assert response.status_code == 500 and "kaboom at import" in response.json()["message"]


def test_invoke_without_runtime_says_so(http: httpx.Client, localapi: Any, active_project: dict) -> None:
    ref = active_project["ref"]
    deploy(http, ref, "open", [("index.ts", HELLO)], verify_jwt=False)
    functions = localapi.api.functions
    saved, functions.deno = functions.deno, None
    try:
        response = httpx.get(f"{localapi.base_url}/project/{ref}/functions/v1/open")
    finally:
        functions.deno = saved
    assert response.status_code == 503 and "No Edge Runtime is installed" in response.json()["message"]


def test_functions_on_a_branch_reach_production_only_through_merge(http: httpx.Client, active_project: dict) -> None:
    from tests.localapi.test_branches import make_branch, wait_run

    ref = active_project["ref"]
    branch = make_branch(http, ref, "fn-dev")
    dev = branch["project_ref"]
    assert deploy(http, dev, "greet", [("index.ts", HELLO)], verify_jwt=False).status_code == 201
    assert http.get(f"/v1/projects/{ref}/functions/greet").status_code == 404  # not in production yet
    merged = http.post(f"/v1/branches/{branch['id']}/merge", json={})
    run = wait_run(http, dev, merged.json()["workflow_run_id"])
    assert [step["status"] for step in run["run_steps"]][-1] != "DEAD", run
    live = http.get(f"/v1/projects/{ref}/functions/greet").json()
    assert live["version"] == 1 and live["verify_jwt"] is False
    assert live["ezbr_sha256"] == http.get(f"/v1/projects/{dev}/functions/greet").json()["ezbr_sha256"]
    again = http.post(f"/v1/branches/{branch['id']}/merge", json={})
    wait_run(http, dev, again.json()["workflow_run_id"])
    assert http.get(f"/v1/projects/{ref}/functions/greet").json()["version"] == 1  # unchanged code is not redeployed
