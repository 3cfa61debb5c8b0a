"""Fuzzing the local API with schemathesis from today's document (the stored one with its delta,
tests/current_document.py), over every operation the local API serves, against the real server
over real HTTP: whatever is sent, the answer is never a 5xx, and it is JSON (a 4xx always a
``{"message": ...}``). Each generated request is sent twice: with the path parameters as
generated (refs and ids that mostly do not exist) and with real ones (a live project, its
function, API key, branch, run, migration, claim token), so the handlers behind the lookups are
fuzzed too. Bounded and seeded: a fixed, small number of examples per operation, derandomized,
so CI sees the same requests on every run."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import OPENAPI_PATH
from tests.current_document import load_current, only
from tests.localapi.targets import RealTargets
from tests.localapi.test_contract import served_operations

if not (OPENAPI_PATH.exists() and (OPENAPI_PATH.parent / "v1-delta.json").exists()):
    pytest.skip(
        f"the OpenAPI document or its delta is not beside the checkout ({OPENAPI_PATH})", allow_module_level=True
    )

EXAMPLES_PER_OPERATION = 5


# The operations the local API does not serve answer a 404 JSON: nothing to learn from fuzzing them.
SCHEMA = schemathesis.openapi.from_dict(
    only(load_current(OPENAPI_PATH), served_operations()),
    config=schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
            "phases": {"coverage": {"enabled": False}},
        }
    ),
)


# Successes the local API answers in another type on purpose, as the real API does.
NOT_JSON = {
    "/v1/projects/{ref}/functions/{function_slug}/body": "application/zip",  # the bundle
    "/v1/branches/{branch_id_or_ref}/diff": "text/plain",
    "/v1/projects/{ref}/actions/{run_id}/logs": "text/plain",
}


def answers_json(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    """Every failure is a JSON ``{"message": ...}``; every success with a body is JSON, but for
    the operations in ``NOT_JSON`` (a redirect or a 204 has no body)."""
    content_type = response.headers.get("content-type", [""])[0]
    if case.method.upper() == "HEAD":  # no body, whatever the status
        assert not response.content, response.content[:100]
    elif response.status_code >= 400:
        assert content_type.startswith("application/json"), f"{response.status_code} answered as {content_type!r}"
        body = json.loads(response.content)
        assert isinstance(body, dict) and isinstance(body.get("message"), str), body
    elif response.content and content_type.startswith("application/json"):
        json.loads(response.content)
    elif response.content:
        expected = NOT_JSON.get(case.path, "application/json")
        assert content_type.startswith(expected), f"{response.status_code} answered as {content_type!r}"
    return None


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error(case: schemathesis.Case, localapi: Any, real_targets: RealTargets) -> None:
    headers = {"Authorization": f"Bearer {localapi.token}"}
    checks = [not_a_server_error, answers_json]
    case.call_and_validate(base_url=localapi.base_url, headers=headers, checks=checks, timeout=30)
    real = real_targets.for_operation(case.method.upper(), case.path)
    if case.path_parameters:
        case.path_parameters = {name: real.get(name, value) for name, value in case.path_parameters.items()}
        case.call_and_validate(base_url=localapi.base_url, headers=headers, checks=checks, timeout=30)
