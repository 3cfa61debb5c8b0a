"""API keys: the seed's enable flow, masking unless revealed, legacy JWTs really signed."""

from __future__ import annotations

import base64
import json

import httpx

from platformkit.localapi.api_keys.service import sign_jwt
from tests.localapi.conftest import message


def test_enable_flow_masks_secrets_unless_revealed(http: httpx.Client, active_project: dict, localapi) -> None:  # type: ignore[no-untyped-def]
    ref = active_project["ref"]
    url = f"/v1/projects/{ref}/api-keys"
    legacy = http.get(url).json()
    assert [(k["name"], k["type"]) for k in legacy] == [("anon", "legacy"), ("service_role", "legacy")]
    anon = legacy[0]["api_key"]
    claims = json.loads(base64.urlsafe_b64decode(anon.split(".")[1] + "=="))
    assert claims["role"] == "anon" and claims["ref"] == ref
    assert anon == sign_jwt(claims, localapi.api.api_keys.jwt_secret(ref))  # really signed with the project's secret
    assert "·" in legacy[1]["api_key"]  # service_role masked

    publishable = http.post(url, json={"type": "publishable", "name": "default"})
    secret = http.post(
        url,
        params={"reveal": "true"},
        json={"type": "secret", "name": "default", "secret_jwt_template": {"role": "service_role"}},
    )
    assert publishable.status_code == 201 and publishable.json()["api_key"].startswith("sb_publishable_")
    full = secret.json()["api_key"]
    assert secret.status_code == 201 and full.startswith("sb_secret_") and "·" not in full
    listed = {k["type"]: k for k in http.get(url).json()}
    assert full not in json.dumps(listed) and listed["secret"]["api_key"].startswith("sb_secret_")
    revealed = {k["type"]: k for k in http.get(url, params={"reveal": "true"}).json()}
    assert revealed["secret"]["api_key"] == full and revealed["secret"]["secret_jwt_template"] == {
        "role": "service_role"
    }

    assert http.delete(f"{url}/{secret.json()['id']}").status_code == 200
    assert http.get(f"{url}/{secret.json()['id']}").status_code == 404


def test_bad_key_requests_are_400(http: httpx.Client, active_project: dict) -> None:
    url = f"/v1/projects/{active_project['ref']}/api-keys"
    for body, needle in (
        ({"type": "admin", "name": "default"}, "type"),
        ({"type": "secret", "name": "No"}, "name"),
        ({"type": "publishable", "name": "default", "secret_jwt_template": {}}, "secret keys only"),
        ({"type": "secret", "name": "default", "colour": "red"}, "Unknown fields"),
    ):
        response = http.post(url, json=body)
        assert response.status_code == 400 and needle in message(response)
    assert http.get(f"{url}/not-a-uuid").status_code == 404
