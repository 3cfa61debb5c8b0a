"""The shipped field schemas are the OpenAPI document's, and they judge input as it does."""

from __future__ import annotations

import json

from platformkit.api import config_schema


def test_shipped_schemas_are_generated_from_the_document(openapi_document: dict) -> None:
    shipped = json.loads(config_schema.SCHEMA_FILE.read_text())
    assert shipped == json.loads(json.dumps(config_schema.generate(openapi_document))), (
        "config_schemas.json is stale: run python -m platformkit.api.config_schema <openapi.json>"
    )
    assert len(config_schema.read_fields("auth")) > 200


def test_validation_names_each_bad_field() -> None:
    problems = config_schema.validation_errors(
        "auth", {"jwt_exp": -1, "site_url": "a,b", "disable_signup": "x", "smtp_port": None}
    )
    assert problems == {
        "jwt_exp": "must be at least 0",
        "site_url": "does not have the required form (^[^,]+$)",
        "disable_signup": "must be a boolean or empty",
    }
    assert config_schema.validation_errors("auth", {"nope": 1}) == {"nope": "unknown field for auth config"}
    assert "features.imageTransformation" in config_schema.validation_errors(
        "storage", {"features": {"imageTransformation": {}}}
    )
    assert config_schema.validation_errors("realtime", {"max_concurrent_users": 10}) == {}


def test_secret_fields() -> None:
    assert all(
        config_schema.is_secret(name)
        for name in (
            "smtp_pass",
            "external_github_secret",
            "hook_send_sms_secrets",
            "sms_twilio_auth_token",
            "jwt_secret",
        )
    )
    assert not any(
        config_schema.is_secret(name)
        for name in ("password_min_length", "external_github_client_id", "hook_send_sms_uri")
    )
