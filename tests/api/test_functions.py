"""client.functions: the deploy's multipart body as the document defines it, a replay after a
429 that resends the whole file, and the whole cycle against the local API."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from platformkit.api import ManagementClient
from tests.api.conftest import json_response
from tests.api.test_backups import _active_project

ANSWER = {"id": "f1", "slug": "hello", "name": "hello", "status": "ACTIVE", "version": 1}


def test_deploy_sends_files_and_metadata_and_replays_whole_after_429(make_client: Any, tmp_path: Path) -> None:
    source = tmp_path / "index.ts"
    source.write_bytes(b"Deno.serve(() => new Response('ok'))" + b" " * 100_000)
    seen: list[httpx.Request] = []

    def script(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return (
            json_response(429, {"message": "slow down"}, **{"Retry-After": "1"})
            if len(seen) == 1
            else json_response(201, ANSWER)
        )

    client = make_client(script)
    deployed = client.functions.deploy(
        "abcdefghijklmnopqrst",
        "hello",
        [source, ("deno.json", b'{"imports": {}}')],
        entrypoint_path="index.ts",
        import_map_path="deno.json",
        static_patterns=["assets/*"],
        verify_jwt=False,
    )
    assert deployed.version == 1 and len(seen) == 2
    for request in seen:
        assert (
            request.url.path == "/v1/projects/abcdefghijklmnopqrst/functions/deploy"
            and request.url.params["slug"] == "hello"
        )
        body = request.content
        assert (
            body.count(b'name="file"; filename="index.ts"') == 1 and body.count(b" " * 100_000) == 1
        )  # the whole file, both times
        assert b'filename="deno.json"' in body
        metadata = body.split(b'name="metadata"\r\n\r\n')[1].split(b"\r\n--")[0]
        assert json.loads(metadata) == {
            "entrypoint_path": "index.ts",
            "import_map_path": "deno.json",
            "static_patterns": ["assets/*"],
            "verify_jwt": False,
        }


@pytest.fixture
def client(localapi: Any) -> Any:
    with ManagementClient(localapi.token, base_url=localapi.base_url) as client:
        yield client


def test_functions_cycle_against_the_local_api(client: ManagementClient, tmp_path: Path) -> None:
    ref = _active_project(client)
    entry = tmp_path / "index.ts"
    entry.write_text("Deno.serve(() => new Response('v1'))")
    first = client.functions.deploy(ref, "hello", [entry], entrypoint_path="index.ts", name="Hello")
    assert first.version == 1 and first.verify_jwt is True and first.ezbr_sha256
    updated = client.functions.update(ref, "hello", body="Deno.serve(() => new Response('v2'))", verify_jwt=False)
    assert updated.version == 2 and updated.verify_jwt is False
    files = zipfile.ZipFile(io.BytesIO(client.functions.body(ref, "hello"))).read("index.ts")
    assert files == b"Deno.serve(() => new Response('v2'))"
    made = client.functions.create(ref, slug="other", name="Other", body="Deno.serve(() => new Response('x'))")
    bulk = client.functions.bulk_update(ref, [{**made.raw, "verify_jwt": False}])
    assert bulk[0].verify_jwt is False
    assert [f.slug for f in client.functions.list(ref)] == ["hello", "other"]
    client.functions.delete(ref, "other")
    assert [f.slug for f in client.functions.list(ref)] == ["hello"]
