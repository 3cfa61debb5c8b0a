"""What a new project's service configuration reads as before anyone changes it.

Every field the document's read schema lists is present (so a form shows all of them): the
values below where the hosted platform's defaults are known, otherwise the empty value of the
field's type (``null`` where the field is nullable)."""

from __future__ import annotations

import copy
from typing import Any

from platformkit.api.config_schema import load

AUTH = {
    "site_url": "http://localhost:3000",
    "uri_allow_list": "",
    "disable_signup": False,
    "jwt_exp": 3600,
    "external_email_enabled": True,
    "external_phone_enabled": False,
    "external_anonymous_users_enabled": False,
    "mailer_autoconfirm": False,
    "mailer_secure_email_change_enabled": True,
    "mailer_otp_exp": 3600,
    "mailer_otp_length": 6,
    "sms_autoconfirm": False,
    "sms_otp_exp": 60,
    "sms_otp_length": 6,
    "sms_max_frequency": 60,
    "smtp_max_frequency": 60,
    "password_min_length": 6,
    "password_hibp_enabled": False,
    "password_required_characters": "",
    "refresh_token_rotation_enabled": True,
    "security_refresh_token_reuse_interval": 10,
    "security_update_password_require_reauthentication": False,
    "security_captcha_enabled": False,
    "security_manual_linking_enabled": False,
    "mfa_totp_enroll_enabled": True,
    "mfa_totp_verify_enabled": True,
    "mfa_phone_enroll_enabled": False,
    "mfa_phone_verify_enabled": False,
    "mfa_max_enrolled_factors": 10,
    "mfa_phone_otp_length": 6,
    "rate_limit_email_sent": 2,
    "rate_limit_sms_sent": 30,
    "rate_limit_verify": 30,
    "rate_limit_token_refresh": 150,
    "rate_limit_otp": 30,
    "rate_limit_anonymous_users": 30,
    "api_max_request_duration": 10,
}
POSTGREST = {
    "db_schema": "public,graphql_public",
    "max_rows": 1000,
    "db_extra_search_path": "public,extensions",
    "db_pool": None,
}
STORAGE = {
    "fileSizeLimit": 52428800,
    "features": {
        "imageTransformation": {"enabled": False},
        "s3Protocol": {"enabled": True},
        "icebergCatalog": {"enabled": False, "maxNamespaces": 0, "maxTables": 0, "maxCatalogs": 0},
        "vectorBuckets": {"enabled": False, "maxBuckets": 0, "maxIndexes": 0},
    },
    "capabilities": {"list_v2": True, "iceberg_catalog": False},
    "external": {"upstreamTarget": "main"},
    "migrationVersion": "local",
    "databasePoolMode": "session",
}
REALTIME = {
    "private_only": False,
    "connection_pool": 2,
    "max_concurrent_users": 200,
    "max_events_per_second": 100,
    "max_bytes_per_second": 100000,
    "max_channels_per_client": 100,
    "max_joins_per_second": 100,
    "max_presence_events_per_second": 100,
    "max_payload_size_in_kb": 100,
    "suspend": False,
    "presence_enabled": True,
}
KNOWN: dict[str, dict[str, Any]] = {"auth": AUTH, "postgrest": POSTGREST, "storage": STORAGE, "realtime": REALTIME}


def _empty(schema: dict[str, Any]) -> Any:
    choices = [choice for choice in schema.get("enum", []) if choice is not None]
    if choices:  # the document's read validator refuses null for a nullable enum
        return choices[0]
    kinds = schema.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    if "null" in kinds or not kinds:
        return None
    return {"boolean": False, "integer": 0, "number": 0, "string": "", "array": [], "object": {}}.get(kinds[0])


def defaults(service: str) -> dict[str, Any]:
    values = {name: _empty(schema) for name, schema in load()[service]["read"].items()}
    known = KNOWN[service]
    values.update({name: copy.deepcopy(value) for name, value in known.items() if name in values})
    return values
