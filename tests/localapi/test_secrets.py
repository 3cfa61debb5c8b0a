"""Secrets: bulk set and overwrite, digests only on the way out, SUPABASE_ names refused."""

from __future__ import annotations

import hashlib

import httpx

from tests.localapi.conftest import message


def test_secrets_round_trip_without_values(http: httpx.Client, active_project: dict) -> None:
    url = f"/v1/projects/{active_project['ref']}/secrets"
    assert (
        http.post(url, json=[{"name": "A_KEY", "value": "one"}, {"name": "B_KEY", "value": "two"}]).status_code == 201
    )
    assert http.post(url, json=[{"name": "A_KEY", "value": "changed"}]).status_code == 201
    listed = http.get(url).json()
    assert [item["name"] for item in listed] == ["A_KEY", "B_KEY"]
    assert listed[0]["value"] == hashlib.sha256(b"changed").hexdigest() and "changed" not in str(listed)
    assert http.request("DELETE", url, json=["A_KEY"]).status_code == 200
    assert [item["name"] for item in http.get(url).json()] == ["B_KEY"]


def test_bad_secret_bodies_are_400(http: httpx.Client, active_project: dict) -> None:
    url = f"/v1/projects/{active_project['ref']}/secrets"
    reserved = http.post(url, json=[{"name": "SUPABASE_URL", "value": "x"}])
    assert reserved.status_code == 400 and "SUPABASE_" in message(reserved)
    assert http.post(url, json={"name": "A", "value": "b"}).status_code == 400
    assert http.post(url, json=[{"name": "A"}]).status_code == 400
    assert http.post(url, json=[{"name": "A", "value": "x" * 30000}]).status_code == 400
    assert http.request("DELETE", url, json=[]).status_code == 400
    assert http.get("/v1/projects/abcdefghijklmnopqrst/secrets").status_code == 404
