"""Service configuration, compute and PITR add-ons, and the claim flow in the local API."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from platformkit.api.config_schema import read_fields
from tests.localapi.conftest import DEFAULT_ORG, message, wait_for_status


def test_config_reads_every_documented_field_and_keeps_changes(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    auth = http.get(f"/v1/projects/{ref}/config/auth").json()
    assert set(auth) == set(read_fields("auth")) and auth["jwt_exp"] == 3600 and auth["password_hibp_enabled"] is False
    changed = http.patch(
        f"/v1/projects/{ref}/config/auth", json={"mailer_otp_exp": 900, "site_url": "https://app.example.com"}
    )
    assert changed.status_code == 200 and changed.json()["mailer_otp_exp"] == 900
    again = http.get(f"/v1/projects/{ref}/config/auth").json()
    assert (
        again["site_url"] == "https://app.example.com" and again["jwt_exp"] == 3600
    )  # untouched fields keep their value

    assert (
        http.patch(
            f"/v1/projects/{ref}/config/storage", json={"features": {"imageTransformation": {"enabled": True}}}
        ).status_code
        == 200
    )
    storage = http.get(f"/v1/projects/{ref}/config/storage").json()
    assert storage["features"]["imageTransformation"] == {"enabled": True} and storage["features"]["s3Protocol"] == {
        "enabled": True
    }

    assert http.patch(f"/v1/projects/{ref}/config/realtime", json={"private_only": True}).status_code == 204
    assert http.get(f"/v1/projects/{ref}/config/realtime").json()["private_only"] is True
    postgrest = http.get(f"/v1/projects/{ref}/postgrest").json()
    assert postgrest["db_schema"] == "public,graphql_public" and postgrest["jwt_secret"]
    assert "jwt_secret" not in http.patch(f"/v1/projects/{ref}/postgrest", json={"max_rows": 10}).json()


def test_bad_config_is_refused_with_the_field_named(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    unknown = http.patch(f"/v1/projects/{ref}/config/auth", json={"jwt_expiry": 10})
    assert unknown.status_code == 400 and "jwt_expiry: unknown field" in message(unknown)
    assert "jwt_exp: must be at most 604800" in message(
        http.patch(f"/v1/projects/{ref}/config/auth", json={"jwt_exp": 10**7})
    )
    assert "must be a boolean" in message(http.patch(f"/v1/projects/{ref}/config/auth", json={"disable_signup": "yes"}))
    assert http.patch(f"/v1/projects/{ref}/config/realtime", json={"max_concurrent_users": 0}).status_code == 400
    assert http.patch(f"/v1/projects/{ref}/postgrest", json={}).status_code == 400
    assert http.get(f"/v1/projects/{ref}/config/auth").json()["jwt_exp"] == 3600  # nothing of it was kept


def test_auth_changes_wait_for_a_healthy_project(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    assert http.post(f"/v1/projects/{ref}/pause").status_code == 200
    refused = http.patch(f"/v1/projects/{ref}/config/auth", json={"jwt_exp": 600})
    assert refused.status_code == 400 and "not ACTIVE_HEALTHY" in message(refused)


def test_compute_size_changes_the_project_and_can_be_reverted(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    addons = http.get(f"/v1/projects/{ref}/billing/addons").json()
    assert {"type": "compute_instance"}.items() <= addons["selected_addons"][0].items()
    assert addons["selected_addons"][0]["variant"]["id"] == "ci_micro"
    assert "ci_small" in [
        v["id"]
        for group in addons["available_addons"]
        if group["type"] == "compute_instance"
        for v in group["variants"]
    ]
    assert (
        http.patch(
            f"/v1/projects/{ref}/billing/addons", json={"addon_type": "compute_instance", "addon_variant": "ci_small"}
        ).status_code
        == 200
    )
    assert http.get(f"/v1/projects/{ref}").json()["status"] == "RESIZING"
    project = wait_for_status(http, ref, "ACTIVE_HEALTHY")
    assert http.get(f"/v1/projects/{ref}/billing/addons").json()["selected_addons"][0]["variant"]["id"] == "ci_small"
    assert http.delete(f"/v1/projects/{ref}/billing/addons/ci_small").status_code == 200
    wait_for_status(http, ref, "ACTIVE_HEALTHY")
    assert http.get(f"/v1/projects/{ref}/billing/addons").json()["selected_addons"][0]["variant"]["id"] == "ci_micro"
    assert project["ref"] == ref


def test_pitr_addon_turns_pitr_on_and_off(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    assert http.get(f"/v1/projects/{ref}/database/backups").json()["pitr_enabled"] is False
    assert (
        http.patch(
            f"/v1/projects/{ref}/billing/addons", json={"addon_type": "pitr", "addon_variant": "pitr_14"}
        ).status_code
        == 200
    )
    assert http.get(f"/v1/projects/{ref}/database/backups").json()["pitr_enabled"] is True
    assert any(
        item["type"] == "pitr" and item["variant"]["id"] == "pitr_14"
        for item in http.get(f"/v1/projects/{ref}/billing/addons").json()["selected_addons"]
    )
    assert http.delete(f"/v1/projects/{ref}/billing/addons/pitr_14").status_code == 200
    assert http.get(f"/v1/projects/{ref}/database/backups").json()["pitr_enabled"] is False


def test_bad_addons_are_400(http: httpx.Client, active_project: dict) -> None:
    url = f"/v1/projects/{active_project['ref']}/billing/addons"
    assert "not a compute_instance variant" in message(
        http.patch(url, json={"addon_type": "compute_instance", "addon_variant": "pitr_7"})
    )
    assert (
        http.patch(url, json={"addon_type": "compute_instance", "addon_variant": "ci_micro"}).status_code == 400
    )  # already
    assert http.patch(url, json={"addon_type": "gpu", "addon_variant": "x"}).status_code == 400
    assert http.delete(f"{url}/ipv4_default").status_code == 400


def test_claim_token_moves_the_project_to_the_claiming_organization(http: httpx.Client, active_project: dict) -> None:
    ref = active_project["ref"]
    assert http.get(f"/v1/projects/{ref}/claim-token").status_code == 404
    http.post(f"/v1/projects/{ref}/secrets", json=[{"name": "STRIPE_KEY", "value": "sk"}])
    http.patch(f"/v1/projects/{ref}/config/auth", json={"site_url": "https://mine.example.com"})
    created = http.post(f"/v1/projects/{ref}/claim-token").json()
    token = created["token"]
    shown = http.get(f"/v1/projects/{ref}/claim-token").json()
    assert "token" not in shown and shown["token_alias"] == created["token_alias"] and token not in str(shown)
    other = http.post("/v1/organizations", json={"name": "End user's org"}).json()["slug"]
    assert http.get(f"/v1/organizations/{other}/project-claim/wrongtoken").status_code == 404
    preview = http.get(f"/v1/organizations/{other}/project-claim/{token}").json()
    assert preview["project"] == {"ref": ref, "name": active_project["name"]} and preview["preview"]["valid"] is True
    assert {warning["key"] for warning in preview["preview"]["warnings"]} == {"secrets", "config.auth"}
    same = http.post(f"/v1/organizations/{DEFAULT_ORG}/project-claim/{token}")
    assert same.status_code == 400 and "already belongs" in message(same)
    assert http.post(f"/v1/organizations/{other}/project-claim/{token}").status_code == 204
    assert http.get(f"/v1/projects/{ref}").json()["organization_id"] == other
    assert http.get(f"/v1/projects/{ref}/claim-token").status_code == 404  # used up


def test_authorize_redirects_to_a_claim_page_that_ends_at_the_redirect_uri(
    http: httpx.Client, active_project: dict
) -> None:
    ref = active_project["ref"]
    other = http.post("/v1/organizations", json={"name": "Claimer <b>org</b>"}).json()["slug"]
    params = {
        "project_ref": ref,
        "client_id": "66666666-6666-4666-8666-666666666666",
        "response_type": "code",
        "redirect_uri": "https://builder.example.com/claimed",
        "state": "st_1",
    }
    bad = http.get("/v1/oauth/authorize/project-claim", params={**params, "client_id": "nope"})
    assert bad.status_code == 400 and "client_id" in message(bad)
    started = http.get("/v1/oauth/authorize/project-claim", params=params)
    assert started.status_code == 303
    page = httpx.get(started.headers["location"])  # the end user's browser: no token
    assert page.status_code == 200 and "Claimer &lt;b&gt;org&lt;/b&gt;" in page.text
    done = httpx.post(started.headers["location"], data={"organization": other})
    assert done.status_code == 302
    back = urlsplit(done.headers["location"])
    assert (
        back.netloc == "builder.example.com"
        and parse_qs(back.query)["state"] == ["st_1"]
        and parse_qs(back.query)["code"]
    )
    assert http.get(f"/v1/projects/{ref}").json()["organization_id"] == other
    assert httpx.get(started.headers["location"]).status_code == 404  # the link works once
