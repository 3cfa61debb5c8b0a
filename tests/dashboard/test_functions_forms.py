"""The functions section's forms on their own: each rule accepted and refused, with its message."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from platformkit.sections.functions.forms import DeleteForm, DeployForm, InvokeForm, SettingsForm


def deploy_form(
    files: list[tuple[str, bytes]] | None = None, paths: list[str] | None = None, **data: Any
) -> DeployForm:
    files = [("index.ts", b"x")] if files is None else files
    fields = {"slug": "hello", "entrypoint_path": "index.ts", **data}
    post = MultiValueDict({key: [value] for key, value in fields.items()})
    post.setlist("path", [name for name, _ in files] if paths is None else paths)
    uploads = MultiValueDict({"file": [SimpleUploadedFile(name.rsplit("/", 1)[-1], body) for name, body in files]})
    form = DeployForm(post, uploads)
    form.is_valid()
    return form


def test_a_good_deploy_keeps_each_file_with_its_path() -> None:
    form = deploy_form(
        [("index.ts", b"a"), ("lib/util.ts", b"b"), ("empty.ts", b"")],
        import_map_path=" deno.json ",
        static_patterns=" assets/* \n\n  *.html ",
        verify_jwt="on",
    )
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert [name for name, _ in data["files"]] == ["index.ts", "lib/util.ts", "empty.ts"]  # an empty file is a file
    assert (data["slug"], data["import_map_path"], data["static_patterns"]) == (
        "hello",
        "deno.json",
        ["assets/*", "*.html"],
    )
    assert data["verify_jwt"] is True and deploy_form().cleaned_data["import_map_path"] is None


@pytest.mark.parametrize("slug", ["9lives", "", "has space", "dot.ted", "-dash"])
def test_slug_must_start_with_a_letter(slug: str) -> None:
    form = deploy_form(slug=slug)
    assert not form.is_valid()
    assert form.first_error() == "Slug: start with a letter; letters, digits, '-' and '_' only."


@pytest.mark.parametrize("slug", ["hello", "Hello_World-2", "a"])
def test_slug_accepted(slug: str) -> None:
    assert deploy_form(slug=slug).is_valid()


def test_entrypoint_is_required_and_must_be_among_the_files() -> None:
    assert deploy_form(entrypoint_path="  ").first_error() == "Choose the entrypoint (e.g. index.ts)."
    missing = deploy_form(entrypoint_path="main.ts")
    assert missing.first_error() == "The entrypoint main.ts is not among the chosen files."
    assert deploy_form([("hello.zip", b"PK")], entrypoint_path="main.ts").is_valid()  # a zip carries its own
    assert deploy_form([("src/index.ts", b"x")], entrypoint_path="src/index.ts").is_valid()


def test_the_slug_error_comes_first() -> None:
    assert deploy_form(slug="9", entrypoint_path="").first_error().startswith("Slug:")


def test_files_are_required() -> None:
    assert deploy_form([]).first_error() == "Choose the function's files (a folder or a .zip)."


@pytest.mark.parametrize("path", ["../index.ts", "/etc/passwd", "a/../../b", ".."])
def test_a_path_may_not_leave_the_folder(path: str) -> None:
    form = deploy_form([("index.ts", b"x")], paths=[path])
    assert form.first_error() == f"A file path may not leave the folder: {path}"


def test_paths_are_normalised_and_default_to_the_file_name() -> None:
    form = deploy_form([("index.ts", b"x"), ("util.ts", b"y")], paths=["./a//index.ts"], entrypoint_path="a/index.ts")
    assert [name for name, _ in form.cleaned_data["files"]] == ["a/index.ts", "util.ts"]


def test_the_typed_deploy_comes_back_stripped() -> None:
    form = deploy_form(slug=" 9lives ", import_map_path=" m.json ")
    assert form.typed() == {
        "slug": "9lives",
        "entrypoint_path": "index.ts",
        "import_map_path": "m.json",
        "static_patterns": "",
        "verify_jwt": False,
    }


def test_settings() -> None:
    form = SettingsForm({"verify_jwt": "on", "entrypoint_path": " index.ts ", "import_map_path": "  "})
    assert form.is_valid()
    assert form.cleaned_data == {"verify_jwt": True, "entrypoint_path": "index.ts", "import_map_path": None}
    unticked = SettingsForm({})
    assert unticked.is_valid() and unticked.cleaned_data["verify_jwt"] is False


def test_delete_needs_the_slug_typed() -> None:
    wrong = DeleteForm({"confirm": "hell"}, slug="hello")
    assert not wrong.is_valid() and wrong.first_error() == "Type the function's slug, hello, to delete it."
    assert not DeleteForm({}, slug="hello").is_valid()
    assert DeleteForm({"confirm": " hello "}, slug="hello").is_valid()


def invoke_form(**data: str) -> InvokeForm:
    form = InvokeForm(data)
    form.is_valid()
    return form


def test_invoke_method() -> None:
    assert invoke_form(method="TRACE").first_error() == "Choose a method."
    assert invoke_form(method="").first_error() == "Choose a method."
    assert invoke_form().cleaned_data["method"] == "POST"  # not sent: POST
    assert invoke_form(method="GET").cleaned_data["method"] == "GET"


def test_invoke_headers() -> None:
    form = invoke_form(method="POST", headers="Content-Type: application/json\n\nX-Trace:  a:b ")
    assert form.cleaned_data["headers"] == {"Content-Type": "application/json", "X-Trace": "a:b"}
    assert invoke_form(headers="no colon here").first_error() == "Headers: line 1 is not 'Name: value'."
    assert invoke_form(headers="A: 1\nBad Name: 2").first_error() == "Headers: line 2 is not 'Name: value'."
    assert invoke_form(headers=": empty").first_error() == "Headers: line 1 is not 'Name: value'."
    assert invoke_form(headers="Host: evil").first_error() == "Headers: Host is set by the request itself."


def test_invoke_method_error_comes_before_headers_and_the_form_comes_back() -> None:
    form = invoke_form(method="TRACE", headers="nope", body=" {} ", with_anon_key="on")
    assert form.first_error() == "Choose a method."
    assert form.typed() == {"method": "TRACE", "headers": "nope", "body": " {} ", "with_anon_key": True}
    assert invoke_form(body="x").cleaned_data["with_anon_key"] is False
