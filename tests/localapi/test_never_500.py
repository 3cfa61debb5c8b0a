"""Whatever a caller sends, the answer is a 2xx or a 4xx with a JSON message, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from platformkit.localapi.validation import CREATE_PROJECT_FIELDS
from tests.localapi.conftest import DEFAULT_ORG, PROJECT_BODY, message

ODD_VALUES: list[Any] = [None, 0, -1, 1.5, True, [], {}, "", "x" * 5000, "☃ naïve", {"type": "smartGroup"}, ["a", 1]]


def assert_answered(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        message(response)


@pytest.mark.parametrize("field", sorted(CREATE_PROJECT_FIELDS))
def test_create_project_with_odd_field_values(http: httpx.Client, field: str) -> None:
    for value in ODD_VALUES:
        assert_answered(http.post("/v1/projects", json={**PROJECT_BODY, "region_selection": None, field: value}))


def test_organization_and_rename_with_odd_names(http: httpx.Client, active_project: dict[str, Any]) -> None:
    for value in ODD_VALUES:
        assert_answered(http.post("/v1/organizations", json={"name": value}))
        assert_answered(http.patch(f"/v1/projects/{active_project['ref']}", json={"name": value}))


@pytest.mark.parametrize(
    ("path", "names"),
    [
        (f"/v1/organizations/{DEFAULT_ORG}/projects", ["offset", "limit", "search", "sort", "statuses"]),
        ("/v1/projects/available-regions", ["organization_slug", "continent", "desired_instance_size"]),
        ("/v1/projects/{ref}/health", ["services", "timeout_ms"]),
    ],
)
def test_odd_query_parameters(http: httpx.Client, active_project: dict[str, Any], path: str, names: list[str]) -> None:
    for name in names:
        for value in ["", "-", "99999999999999999999", "☃", "a,b,,c", "%00", "1e3", " 5"]:
            assert_answered(http.get(path.format(ref=active_project["ref"]), params={name: value}))


@pytest.mark.parametrize(
    "path",
    [
        "/v1/projects/☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃",
        "/v1/organizations/%00",
        "/v1/projects/%2e%2e/health",
        "/v1/organizations/a%2Fb",
    ],
)
def test_odd_paths(http: httpx.Client, path: str) -> None:
    for method in ("GET", "POST", "PATCH", "DELETE"):
        assert_answered(http.request(method, path, json={}))


# Found by fuzzing (issue 16): bodies that used to be 500s. Each is sent to every operation the
# local API serves that takes a JSON body (from today's document), on live things to act on.
DEEP = ("[" * 100_000 + "]" * 100_000).encode()
DEEP_OBJECT = ('{"a":' * 5_000 + "1" + "}" * 5_000).encode()


def json_endpoints() -> list[tuple[str, str, str]]:
    """(METHOD, /path/{param}, top-level JSON type) of each served operation with a JSON body."""
    from tests.conftest import OPENAPI_PATH
    from tests.current_document import load_current, only
    from tests.localapi.test_contract import served_operations

    if not (OPENAPI_PATH.exists() and (OPENAPI_PATH.parent / "v1-delta.json").exists()):
        return []  # the parametrized tests below are skipped (no OpenAPI document beside the checkout)
    document = only(load_current(OPENAPI_PATH), served_operations())
    endpoints = []
    for path, operations in sorted(document["paths"].items()):
        for method, op in sorted(operations.items()):
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if schema is None:
                continue
            if "$ref" in schema:
                schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
            endpoints.append((method.upper(), path, schema.get("type", "object")))
    return endpoints


JSON_ENDPOINTS = json_endpoints()


def _send(http: httpx.Client, real_targets: Any, method: str, path: str, content: bytes, **headers: str):
    url = path.format(**real_targets.for_operation(method, path))
    return http.request(method, url, content=content, headers={"content-type": "application/json", **headers})


def _wrapped(kind: str, text: str) -> bytes:
    """``text`` (JSON-escaped already) as a value and as a key, in a body of the top-level kind."""
    return (f'["{text}"]' if kind == "array" else f'{{"name": "{text}", "{text}": 1}}').encode()


@pytest.mark.parametrize(("method", "path", "kind"), JSON_ENDPOINTS)
def test_deeply_nested_json_is_a_400(http: httpx.Client, real_targets: Any, method: str, path: str, kind: str) -> None:
    for content in (DEEP, DEEP_OBJECT):
        response = _send(http, real_targets, method, path, content)
        assert response.status_code == 400, response.text
        assert "nested" in message(response)


@pytest.mark.parametrize(("method", "path", "kind"), JSON_ENDPOINTS)
def test_lone_surrogates_and_nuls_are_400s_that_name_them(
    http: httpx.Client, real_targets: Any, method: str, path: str, kind: str
) -> None:
    for text, named in (("\\ud800", "surrogate"), ("x\\udfffy", "surrogate"), ("a\\u0000b", "NUL")):
        response = _send(http, real_targets, method, path, _wrapped(kind, text))
        assert response.status_code == 400, f"{text}: {response.text}"
        assert named in message(response)
    if kind != "array":  # a NUL in a key alone (its value harmless)
        response = _send(http, real_targets, method, path, b'{"k\\u0000": "v"}')
        assert response.status_code == 400 and "NUL" in message(response), response.text


@pytest.mark.parametrize(("method", "path", "kind"), JSON_ENDPOINTS)
def test_huge_and_mislabelled_bodies_are_4xx(
    http: httpx.Client, real_targets: Any, method: str, path: str, kind: str
) -> None:
    huge = _wrapped(kind, "x" * (8 * 1024 * 1024))  # several MB: past the request size limit
    response = _send(http, real_targets, method, path, huge)
    assert response.status_code == 413, response.text[:200]
    message(response)
    valid_json = b"[]" if kind == "array" else b"{}"
    for content, content_type in (
        (valid_json, "text/plain"),
        (valid_json, "application/xml"),
        (b"name=x&value=y", "application/x-www-form-urlencoded"),
        (
            b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
        ),
        (b"\x1f\x8b\x08\x00garbage", "application/json"),  # gzip bytes, no Content-Encoding
        (b"\xff\xfe\x00\xd8", "application/json"),  # not UTF-8
        ("{}".encode("utf-16"), "application/json; charset=utf-16"),
        (b"<xml/>", "application/json"),
    ):
        assert_answered(_send(http, real_targets, method, path, content, **{"content-type": content_type}))
    assert_answered(_send(http, real_targets, method, path, valid_json, **{"content-encoding": "gzip"}))


def test_a_lone_surrogate_is_a_400_that_names_it(http: httpx.Client, active_project: dict[str, Any]) -> None:
    ref = active_project["ref"]
    for body in (b'{"query": "select \'\\ud800\'"}', b'{"query": "select 1", "parameters": ["\\udfff"]}'):
        response = http.post(
            f"/v1/projects/{ref}/database/query", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, response.text
        assert "surrogate" in message(response)
    assert http.post(f"/v1/projects/{ref}/database/query", json={"query": "select '☃' as s"}).status_code == 201


def _zip_with(**changes: Any) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.ts", b"Deno.serve(() => new Response('hi'));" * 50)
    data = bytearray(buffer.getvalue())
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    if "flags" in changes:  # general purpose bit flag: bit 0 = encrypted
        data[local + 6 : local + 8] = changes["flags"].to_bytes(2, "little")
        data[central + 8 : central + 10] = changes["flags"].to_bytes(2, "little")
    if "method" in changes:
        data[local + 8 : local + 10] = changes["method"].to_bytes(2, "little")
        data[central + 10 : central + 12] = changes["method"].to_bytes(2, "little")
    if "size" in changes:  # uncompressed size, local header and central directory
        data[local + 22 : local + 26] = changes["size"].to_bytes(4, "little")
        data[central + 24 : central + 28] = changes["size"].to_bytes(4, "little")
    if "cd_offset" in changes:  # where the end record says the central directory starts
        end = data.rfind(b"PK\x05\x06")
        data[end + 16 : end + 20] = changes["cd_offset"].to_bytes(4, "little")
    if "name_flag_utf8" in changes:  # bit 11 (names are UTF-8) on a name that is not
        data[local + 6 : local + 8] = (0x800).to_bytes(2, "little")
        data[central + 8 : central + 10] = (0x800).to_bytes(2, "little")
        data[central + 46 : central + 46 + 8] = b"\xff\xfendex.t"
    if "garbage" in changes:  # the compressed data replaced by bytes that do not inflate
        start = local + 30 + len("index.ts")
        data[start : start + 32] = b"\xff" * 32
    return bytes(data)


def _zip_of(*entries: tuple[str, bytes] | tuple[str, bytes, int]) -> bytes:
    """A well-formed zip of odd entries: (name, content[, Unix mode])."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content, *mode in entries:
            info = zipfile.ZipInfo(name)
            if mode:
                info.external_attr = mode[0] << 16
            archive.writestr(info, content)
    return buffer.getvalue()


ENTRY = b"Deno.serve(() => new Response('hi'))"


@pytest.mark.parametrize(
    "bundle",
    [
        _zip_with(size=3),  # a false size header: shorter than the data
        _zip_with(size=0xFFFFFFF0),  # larger than the data (and than any budget)
        _zip_with(flags=1),  # an encrypted entry
        _zip_with(method=99),  # AES (WinZip): a method zipfile cannot read
        _zip_with(method=14),  # LZMA flag on deflated data
        _zip_with(method=12),  # bzip2 flag on deflated data
        b"PK\x03\x04" + b"\x00" * 60,  # a local header and nothing else
        _zip_with()[: len(_zip_with()) // 2],  # cut short
        _zip_with(cd_offset=0x7FFFFFFF),  # a central directory past the end
        _zip_with(name_flag_utf8=True),  # "UTF-8" names that are not
        _zip_with(garbage=True),  # data that does not inflate
        _zip_of(),  # empty: no entrypoint
        _zip_of(("../index.ts", ENTRY)),  # leaves the bundle
        _zip_of(("/etc/index.ts", ENTRY)),  # absolute
        _zip_of(("C:\\index.ts", ENTRY)),  # a drive
        _zip_of(("index.ts", b"/etc/passwd", 0o120777)),  # a symbolic link
        _zip_of(*((f"f{n}.ts", b"") for n in range(1001)), ("index.ts", ENTRY)),  # too many files
        _zip_of(("inner.zip", _zip_with())),  # a zip in a zip, and no entrypoint
        b"not a zip at all",
    ],
)
def test_a_broken_function_zip_is_a_4xx(http: httpx.Client, real_targets: Any, bundle: bytes) -> None:
    import json

    response = http.post(
        f"/v1/projects/{real_targets.shared['ref']}/functions/deploy",
        params={"slug": "broken"},
        files=[("file", ("bundle.zip", bundle, "application/zip"))],
        data={"metadata": json.dumps({"entrypoint_path": "index.ts"})},
    )
    assert 400 <= response.status_code < 500, response.text
    message(response)


def test_an_entry_without_a_name_and_non_json_numbers_are_400s(
    http: httpx.Client, active_project: dict[str, Any]
) -> None:
    import io
    import json
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x", b"y")
    data = bytearray(buffer.getvalue())
    central = data.find(b"PK\x01\x02")
    data[central + 28 : central + 30] = (0).to_bytes(2, "little")  # file name length 0
    data[central + 30 : central + 32] = (1).to_bytes(2, "little")  # one byte of "extra" instead
    response = http.post(
        f"/v1/projects/{active_project['ref']}/functions/deploy",
        params={"slug": "nameless"},
        files=[("file", ("bundle.zip", bytes(data), "application/zip"))],
        data={"metadata": json.dumps({"entrypoint_path": "index.ts"})},
    )
    assert 400 <= response.status_code < 500, response.text
    for constant in ("NaN", "Infinity", "-Infinity"):
        answered = http.patch(
            f"/v1/projects/{active_project['ref']}/config/auth",
            content=f'{{"sessions_timebox": {constant}}}'.encode(),
            headers={"content-type": "application/json"},
        )
        assert answered.status_code == 400 and "not a JSON value" in message(answered), answered.text


def test_a_nul_in_a_free_text_setting_is_a_400(http: httpx.Client, real_targets: Any) -> None:
    """Found by the fuzz test: a NUL in a string the schema allows reached PostgreSQL's jsonb (500)."""
    ref = real_targets.shared["ref"]
    response = http.patch(
        f"/v1/projects/{ref}/config/auth",
        content=b'{"mailer_templates_invite_content": "<p>hi\\u0000</p>"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert message(response) == "mailer_templates_invite_content must not contain NUL characters"
    assert http.get(f"/v1/projects/{ref}/config/auth").json()["mailer_templates_invite_content"] != "<p>hi\x00</p>"


def test_function_settings_of_the_wrong_type_are_400s_that_change_nothing(
    http: httpx.Client, real_targets: Any
) -> None:
    """Found by the fuzz test: a non-boolean verify_jwt or a non-string name reached a column (500)."""
    ref = real_targets.shared["ref"]
    created = http.post(
        f"/v1/projects/{ref}/functions", json={"slug": "typed", "name": "T", "body": "x", "verify_jwt": {}}
    )
    assert created.status_code == 400 and message(created) == "verify_jwt must be a boolean", created.text
    before = http.get(f"/v1/projects/{ref}/functions/hello").json()
    for change in ({"name": {}}, {"name": ["x"], "body": "Deno.serve(() => new Response('v'))"}, {"verify_jwt": "yes"}):
        response = http.patch(f"/v1/projects/{ref}/functions/hello", json=change)
        assert response.status_code == 400, response.text
        message(response)
    bulk = http.put(
        f"/v1/projects/{ref}/functions",
        json=[{**{key: before[key] for key in ("id", "slug", "status", "version")}, "name": 5}],
    )
    assert bulk.status_code == 400 and message(bulk) == "name must be a non-empty string", bulk.text
    assert http.get(f"/v1/projects/{ref}/functions/hello").json() == before, "no new version, no changed setting"


def test_odd_deploy_forms_are_4xx(http: httpx.Client, real_targets: Any) -> None:
    import json

    url = f"/v1/projects/{real_targets.shared['ref']}/functions/deploy"
    entry = ("file", ("index.ts", ENTRY, "application/typescript"))
    good = {"entrypoint_path": "index.ts"}
    for metadata in (
        "{",
        '{"entrypoint_path": "index\\u0000.ts"}',
        '{"entrypoint_path": "\\ud800"}',
        "[]",
        json.dumps({"entrypoint_path": 5}),
        json.dumps({**good, "import_map_path": ["x"]}),
        json.dumps({**good, "import_map_path": "index.ts"}),  # not JSON
        json.dumps({**good, "static_patterns": "x"}),
        json.dumps({**good, "verify_jwt": "yes"}),
        json.dumps({**good, "name": {"a": 1}}),
        json.dumps({**good, "entrypoint_path": "file:///../../etc/passwd"}),
    ):
        response = http.post(url, params={"slug": "odd"}, files=[entry], data={"metadata": metadata})
        assert_answered(response)
        assert response.status_code != 201 or metadata.endswith('{"a": 1}}'), f"{metadata}: {response.text}"
    for files in (
        [("file", ("../index.ts", ENTRY, "text/plain"))],
        [("file", ("", ENTRY, "text/plain"))],
        [entry, entry],  # the same path twice
        [("file", ("bundle.zip", _zip_with(), "application/zip")), entry],  # a zip beside files: files
    ):
        assert_answered(http.post(url, params={"slug": "odd"}, files=files, data={"metadata": json.dumps(good)}))
    metadata_part = b'--b\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"entrypoint_path": "index.ts"}\r\n'
    for content, content_type in (
        (metadata_part + b"--b--\r\n", "multipart/form-data"),  # no boundary
        (metadata_part + b"--b--\r\n", "multipart/form-data; boundary=other"),
        (metadata_part, "multipart/form-data; boundary=b"),  # never closed
        (b"--b\r\n\r\n\r\n--b--", "multipart/form-data; boundary=b"),  # a part with no headers
        (json.dumps(good).encode(), "application/json"),
        (b"\x00" * 64, "application/vnd.denoland.eszip"),
    ):
        response = http.post(url, params={"slug": "odd"}, content=content, headers={"content-type": content_type})
        assert 400 <= response.status_code < 500, f"{content_type}: {response.text}"
        message(response)
    huge = http.post(
        url, params={"slug": "odd"}, files=[("file", ("index.ts", b"x" * (23 * 1024 * 1024), "text/plain"))]
    )
    assert huge.status_code == 413, huge.text
    message(huge)


def test_an_object_where_a_name_is_expected_is_a_400(http: httpx.Client, real_targets: Any) -> None:
    """Found by the fuzz test: a JSON object looked up in a table of names (unhashable: a 500)."""
    ref = real_targets.shared["ref"]
    addon = http.patch(f"/v1/projects/{ref}/billing/addons", json={"addon_variant": "pitr_7", "addon_type": {}})
    assert addon.status_code == 400 and message(addon).startswith("addon_type must be one of"), addon.text
    for code in ({}, [], ["emea"]):
        for kind in ("smartGroup", "specific"):
            project = http.post("/v1/projects", json={**PROJECT_BODY, "region_selection": {"type": kind, "code": code}})
            assert project.status_code == 400, project.text
            assert message(project).startswith("region_selection.code must be a string"), project.text
