"""The platform lints the hosted advisor derives from a project's configuration rather than
its schema (the document's ``name`` enum lists them). Pure functions over the stored Auth
config and the PITR setting. Thresholds are the ones Supabase's production checklist gives;
levels are our reading of the hosted advisor's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

AUTH_DOCS = "https://supabase.com/docs/guides/platform/going-into-prod#security"


def _lint(
    name: str, title: str, level: str, description: str, detail: str, remediation: str, entity: str = "Auth"
) -> dict[str, Any]:
    return {
        "name": name,
        "title": title,
        "level": level,
        "facing": "EXTERNAL",
        "categories": ["SECURITY"],
        "description": description,
        "detail": detail,
        "remediation": remediation,
        "metadata": {"type": "auth" if entity == "Auth" else "compliance", "entity": entity},
        "cache_key": name,
    }


def config_lints(auth: Mapping[str, Any], *, pitr_days: int, production: bool) -> list[dict[str, Any]]:
    found = []
    otp_exp = auth.get("mailer_otp_exp") or 0
    if otp_exp > 3600:
        found.append(
            _lint(
                "auth_otp_long_expiry",
                "Auth OTP long expiry",
                "WARN",
                "OTP expiry exceeds recommended threshold",
                "We have detected that you have enabled the email provider with the OTP expiry set to more than an"
                f" hour ({otp_exp} seconds). It is recommended to set this value to less than an hour.",
                "https://supabase.com/docs/guides/platform/going-into-prod#security",
            )
        )
    otp_length = auth.get("mailer_otp_length") or 0
    if otp_length and otp_length < 6:
        found.append(
            _lint(
                "auth_otp_short_length",
                "Auth OTP short length",
                "WARN",
                "OTP length is below the recommended value",
                f"Email OTPs are {otp_length} characters long; use at least 6.",
                AUTH_DOCS,
            )
        )
    if not auth.get("password_hibp_enabled"):
        found.append(
            _lint(
                "auth_leaked_password_protection",
                "Leaked Password Protection Disabled",
                "WARN",
                "Leaked password protection is currently disabled.",
                "Supabase Auth prevents the use of compromised passwords by checking against HaveIBeenPwned.org."
                " Enable this feature to enhance security.",
                "https://supabase.com/docs/guides/auth/password-security#password-strength-and-leaked-password-protection",
            )
        )
    min_length = auth.get("password_min_length") or 0
    if min_length < 8:
        found.append(
            _lint(
                "password_requirements_min_length",
                "Minimum password length below 8",
                "WARN",
                "Passwords shorter than 8 characters are allowed.",
                f"The minimum password length is {min_length}; set it to at least 8.",
                AUTH_DOCS,
            )
        )
    mfa = [
        auth.get("mfa_totp_enroll_enabled"),
        auth.get("mfa_phone_enroll_enabled"),
        auth.get("mfa_web_authn_enroll_enabled"),
    ]
    if sum(bool(option) for option in mfa) < 2:
        found.append(
            _lint(
                "auth_insufficient_mfa_options",
                "Insufficient MFA Options",
                "WARN",
                "This project has too few multi-factor authentication (MFA) options enabled.",
                "Your project has too few MFA options enabled, which may weaken account security."
                " Enable more MFA methods to enhance security.",
                "https://supabase.com/docs/guides/auth/auth-mfa",
            )
        )
    if production and pitr_days <= 0:
        found.append(
            _lint(
                "pitr_not_enabled",
                "Point-in-time recovery not enabled",
                "INFO",
                "Point-in-time recovery is not enabled for this project.",
                "Without PITR, a restore can only go back to a restore point or daily backup;"
                " enable the PITR add-on to restore to any second.",
                "https://supabase.com/docs/guides/platform/backups#point-in-time-recovery",
                entity="Project",
            )
        )
    return found
