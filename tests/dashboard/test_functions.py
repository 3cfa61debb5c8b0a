"""Functions in the dashboard: deploy through the task (zip and a folder), the files and
history, settings, test-invoke with verify_jwt, delete, and bad input."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from platformkit.localapi.functions.runtime import find_deno
from platformkit.models import AuditEvent, Operation
from platformkit.sections.functions import services as functions
from platformkit.sections.functions import tasks as function_tasks
from tests.dashboard.conftest import assert_valid_html
from tests.dashboard.test_lifecycle import healthy

HELLO = (
    b"Deno.serve(async (req) => new Response(JSON.stringify({ hello: (await req.json()).name }),"
    b" { headers: { 'content-type': 'application/json' } }));"
)


@pytest.fixture
def project_ref(make_project: Any, upstream: Any) -> str:
    project = make_project("Functions")
    healthy(upstream, project.ref)
    return project.ref


def _deploy(client: Client, ref: str, files: list[tuple[str, bytes]], **form: Any) -> Operation:
    data = {
        "slug": "hello",
        "entrypoint_path": "index.ts",
        "verify_jwt": "on",
        **form,
        "file": [SimpleUploadedFile(name.rsplit("/", 1)[-1], content) for name, content in files],
        "path": [name for name, _ in files],
    }
    response = client.post(reverse("platformkit:functions-deploy", args=[ref]), data)
    assert response.status_code == 302, response.content.decode()[-1500:]
    operation = Operation.objects.filter(kind="functions.deploy").first()
    assert operation is not None and function_tasks.deploy_task(operation.pk) == "succeeded", operation.message
    operation.refresh_from_db()
    return operation


def test_deploy_a_folder_then_a_zip_and_see_files_and_history(operator_client: Client, project_ref: str) -> None:
    first = _deploy(
        operator_client,
        project_ref,
        [("index.ts", HELLO), ("lib/util.ts", b"export const shout = (s: string) => s.toUpperCase();")],
    )
    assert first.message == "Version 1 of hello is ACTIVE."
    assert not (functions.upload_dir() / first.params["folder"]).exists()  # the staged upload is cleaned up
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.ts", HELLO + b"\n// v2")
    _deploy(operator_client, project_ref, [("hello.zip", buffer.getvalue())])
    listing = operator_client.get(reverse("platformkit:functions", args=[project_ref]))
    assert_valid_html(listing.content)
    row = listing.content.decode().split('data-function="hello"')[1].split("</tr>")[0]
    assert "<td>2</td>" in row and "on" in row
    detail = operator_client.get(reverse("platformkit:function", args=[project_ref, "hello"])).content.decode()
    assert (
        'data-file="index.ts"' in detail and "// v2" in detail and "lib/util.ts" not in detail
    )  # the files of the current version
    assert "functions.deploy v2 by operator" in detail and "functions.deploy v1 by operator" in detail


def test_bad_deploys_keep_the_form(operator_client: Client, project_ref: str) -> None:
    url = reverse("platformkit:functions-deploy", args=[project_ref])
    bad_slug = operator_client.post(
        url, {"slug": "9lives", "entrypoint_path": "index.ts", "file": [SimpleUploadedFile("index.ts", HELLO)]}
    )
    assert (
        bad_slug.status_code == 400
        and b"Slug: start with a letter" in bad_slug.content
        and b'value="9lives"' in bad_slug.content
    )
    missing = operator_client.post(
        url,
        {
            "slug": "hi",
            "entrypoint_path": "main.ts",
            "file": [SimpleUploadedFile("index.ts", HELLO)],
            "path": ["index.ts"],
        },
    )
    assert missing.status_code == 400 and b"The entrypoint main.ts is not among the chosen files." in missing.content
    escape = operator_client.post(
        url,
        {
            "slug": "hi",
            "entrypoint_path": "index.ts",
            "file": [SimpleUploadedFile("index.ts", HELLO)],
            "path": ["../index.ts"],
        },
    )
    assert escape.status_code == 400 and b"may not leave the folder" in escape.content
    assert not Operation.objects.filter(kind="functions.deploy").exists()


def test_refused_deploy_fails_the_operation_with_the_apis_reason(operator_client: Client, project_ref: str) -> None:
    url = reverse("platformkit:functions-deploy", args=[project_ref])
    operator_client.post(
        url,
        {
            "slug": "broken",
            "entrypoint_path": "index.ts",
            "import_map_path": "deno.json",
            "file": [SimpleUploadedFile("index.ts", HELLO), SimpleUploadedFile("deno.json", b"{nope")],
            "path": ["index.ts", "deno.json"],
        },
    )
    operation = Operation.objects.get(kind="functions.deploy")
    assert function_tasks.deploy_task(operation.pk) == "failed"
    operation.refresh_from_db()
    assert "The import map deno.json is not valid JSON" in operation.message
    assert AuditEvent.objects.get(action="functions.deploy").outcome == "failure"


@pytest.mark.skipif(find_deno() is None, reason="no Deno here: `make deno` installs it (make test does)")
def test_invoke_panel_and_verify_jwt(operator_client: Client, project_ref: str) -> None:
    _deploy(operator_client, project_ref, [("index.ts", HELLO)])
    url = reverse("platformkit:function-invoke", args=[project_ref, "hello"])
    signed = operator_client.post(
        url,
        {
            "method": "POST",
            "headers": "Content-Type: application/json",
            "body": '{"name": "Ada"}',
            "with_anon_key": "on",
        },
    )
    text = signed.content.decode()
    assert "data-invoke-status>200<" in text and "&quot;hello&quot;: &quot;Ada&quot;" in text
    unsigned = operator_client.post(url, {"method": "POST", "headers": "", "body": "{}"})
    assert "data-invoke-status>401<" in unsigned.content.decode()
    operator_client.post(
        reverse("platformkit:function-settings", args=[project_ref, "hello"]), {"entrypoint_path": "index.ts"}
    )  # verify_jwt off
    assert (
        "data-invoke-status>200<"
        in operator_client.post(url, {"method": "POST", "headers": "", "body": '{"name": "open"}'}).content.decode()
    )
    bad = operator_client.post(url, {"method": "POST", "headers": "no colon here", "body": ""})
    assert bad.status_code == 400 and b"line 1 is not" in bad.content


def test_delete_needs_the_slug(operator_client: Client, project_ref: str, upstream: Any) -> None:
    _deploy(operator_client, project_ref, [("index.ts", HELLO)])
    url = reverse("platformkit:function-delete", args=[project_ref, "hello"])
    wrong = operator_client.post(url, {"confirm": "hell"})
    assert wrong.status_code == 400 and b"Type the function&#x27;s slug, hello" in wrong.content
    assert operator_client.post(url, {"confirm": "hello"}).status_code == 302
    assert upstream.functions.list(project_ref) == []
    assert operator_client.get(reverse("platformkit:function", args=[project_ref, "hello"])).status_code == 404


def test_invoke_refusals_keep_the_panel_filled(operator_client: Client, project_ref: str) -> None:
    """Checked before anything is sent (no Deno needed): the panel comes back as typed."""
    _deploy(operator_client, project_ref, [("index.ts", HELLO)])
    url = reverse("platformkit:function-invoke", args=[project_ref, "hello"])
    method = operator_client.post(url, {"method": "TRACE", "headers": "", "body": "{}"}, headers={"HX-Request": "true"})
    assert method.status_code == 400 and b"Choose a method." in method.content
    assert b"<select" not in method.content  # the HTMX answer is the result partial only
    host = operator_client.post(url, {"method": "PUT", "headers": "Host: elsewhere", "body": "{1}"})
    text = host.content.decode()
    assert host.status_code == 400 and "Headers: Host is set by the request itself." in text
    assert (
        "<option selected>PUT</option>" in text and ">Host: elsewhere</textarea>" in text and ">{1}</textarea>" in text
    )
    assert 'name="with_anon_key" checked' not in text  # unticked stays unticked


def test_settings_and_delete_through_their_forms(operator_client: Client, project_ref: str, upstream: Any) -> None:
    _deploy(operator_client, project_ref, [("index.ts", HELLO)])
    settings_url = reverse("platformkit:function-settings", args=[project_ref, "hello"])
    response = operator_client.post(
        settings_url, {"verify_jwt": "on", "entrypoint_path": " index.ts ", "import_map_path": " "}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="functions.settings")
    assert event.detail == {
        "target": project_ref,
        "slug": "hello",
        "verify_jwt": True,
        "entrypoint_path": "index.ts",
        "import_map_path": None,
    }
    assert upstream.functions.get(project_ref, "hello").verify_jwt is True
    url = reverse("platformkit:function-delete", args=[project_ref, "hello"])
    assert operator_client.post(url, {}).status_code == 400
    assert operator_client.post(url, {"confirm": " hello "}).status_code == 302
    assert AuditEvent.objects.filter(action="functions.delete").count() == 1


def test_a_deploy_without_files_or_with_a_missing_slug_is_refused(operator_client: Client, project_ref: str) -> None:
    url = reverse("platformkit:functions-deploy", args=[project_ref])
    nothing = operator_client.post(url, {"slug": "hi", "entrypoint_path": "index.ts", "static_patterns": " a/* "})
    text = nothing.content.decode()
    assert nothing.status_code == 400 and "Choose the function&#x27;s files (a folder or a .zip)." in text
    assert ">a/*</textarea>" in text and 'name="verify_jwt" checked' not in text
    no_entry = operator_client.post(
        url, {"slug": "hi", "entrypoint_path": "", "file": [SimpleUploadedFile("index.ts", HELLO)]}
    )
    assert no_entry.status_code == 400 and b"Choose the entrypoint (e.g. index.ts)." in no_entry.content
    assert not Operation.objects.filter(kind="functions.deploy").exists()
