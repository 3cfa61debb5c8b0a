"""One error type per failure kind, each naming method, path, status and request id, and
none of them (nor logs, nor reprs) carrying the token."""

from __future__ import annotations

import logging

import httpx
import pytest

from platformkit.api import errors
from tests.api.conftest import REF, TOKEN, Script, json_response


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, errors.ValidationError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ValidationError),
        (422, errors.ValidationError),
        (500, errors.ServerError),
    ],
)
def test_status_maps_to_its_error_type(make_client, status, kind):
    script = Script(json_response(status, {"message": f"problem {status}"}, **{"x-request-id": "req-42"}))
    with pytest.raises(kind) as caught:
        make_client(script).projects.get(REF)
    error = caught.value
    assert (error.method, error.path, error.status, error.request_id) == (
        "GET",
        f"/v1/projects/{REF}",
        status,
        "req-42",
    )
    assert error.message == f"problem {status}"
    assert str(error) == f"GET /v1/projects/{REF} -> {status}: problem {status} [request id req-42]"


def test_403_is_also_an_authentication_error(make_client):
    with pytest.raises(errors.AuthenticationError):
        make_client(Script(json_response(403))).projects.list()


def test_plain_text_error_body_becomes_the_message(make_client):
    script = Script(httpx.Response(400, text="name must be shorter"))
    with pytest.raises(errors.ValidationError, match="name must be shorter"):
        make_client(script).projects.update(REF, name="x" * 300)


def test_malformed_json_on_success_is_an_invalid_response(make_client):
    script = Script(httpx.Response(200, text="{not json", headers={"content-type": "application/json"}))
    with pytest.raises(errors.InvalidResponseError) as caught:
        make_client(script).projects.list()
    assert caught.value.status == 200


def test_wrong_shape_on_success_is_an_invalid_response(make_client):
    script = Script(json_response(200, {"unexpected": "object"}))
    with pytest.raises(errors.InvalidResponseError):
        make_client(script).projects.list_restore_versions(REF)


def test_the_token_never_appears_in_errors_reprs_or_logs(make_client, caplog):
    caplog.set_level(logging.DEBUG, logger="platformkit.api")
    failures = Script(
        json_response(401, {"message": "bad token"}),
        httpx.ConnectError(f"refused (Authorization: Bearer {TOKEN})"),
    )
    client = make_client(failures, max_retries=0)
    seen: list[str] = [repr(client), str(client)]
    for call in (client.projects.list, client.organizations.list):
        with pytest.raises(errors.APIError) as caught:
            call()
        seen += [str(caught.value), repr(caught.value), caught.value.message]
    seen += [record.getMessage() for record in caplog.records]
    seen += [repr(record.__dict__) for record in caplog.records]
    assert caplog.records, "every request is logged"
    assert all(TOKEN not in text for text in seen)


def test_every_request_is_logged_with_method_path_status_and_request_id(make_client, caplog):
    caplog.set_level(logging.INFO, logger="platformkit.api")
    make_client(Script(json_response(200, []), **{})).projects.list()
    record = caplog.records[-1]
    assert record.api_method == "GET" and record.api_path == "/v1/projects" and record.api_status == 200
    assert "GET /v1/projects -> 200" in record.getMessage()


@pytest.mark.parametrize("value", ["..", ".", ""])
def test_a_dot_segment_never_reaches_the_network(make_client, value):
    """``api-keys/..`` would resolve to the project itself: a DELETE of it must not be sent."""
    script = Script(json_response(200, {"message": "ok"}))
    with make_client(script) as client, pytest.raises(ValueError, match="not a valid path parameter"):
        client.api_keys.delete(REF, value)
    assert script.requests == []
