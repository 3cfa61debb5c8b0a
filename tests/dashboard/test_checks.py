"""Each system check fires on the bad setting and clears on the good one."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks

GOOD_KEY = Fernet.generate_key().decode()
GOOD_Q = {"name": "t", "orm": "default", "timeout": 8, "retry": 10, "max_attempts": 3, "catch_up": False}


def platformkit_ids() -> list[str]:
    return sorted(message.id for message in run_checks() if message.id and message.id.startswith("platformkit."))


@pytest.fixture
def good(settings: Any) -> Any:
    settings.PLATFORMKIT = {"API_TOKEN": "sbp_test", "ENCRYPTION_KEYS": [GOOD_KEY]}
    settings.Q_CLUSTER = GOOD_Q
    return settings


def test_good_settings_pass(good: Any) -> None:
    assert platformkit_ids() == []


@pytest.mark.parametrize("token", ["", None])
def test_missing_api_token(good: Any, token: str | None) -> None:
    good.PLATFORMKIT = {**good.PLATFORMKIT, "API_TOKEN": token}
    assert platformkit_ids() == ["platformkit.E001"]
    [message] = [m for m in run_checks() if m.id == "platformkit.E001"]
    assert "API_TOKEN" in message.msg and message.hint


@pytest.mark.parametrize("keys", [[], None, GOOD_KEY])  # a bare string is a classic mistake
def test_missing_encryption_keys(good: Any, keys: Any) -> None:
    good.PLATFORMKIT = {**good.PLATFORMKIT, "ENCRYPTION_KEYS": keys}
    assert platformkit_ids() == ["platformkit.E002"]


def test_malformed_encryption_key(good: Any) -> None:
    good.PLATFORMKIT = {**good.PLATFORMKIT, "ENCRYPTION_KEYS": [GOOD_KEY, "not-a-fernet-key"]}
    [message] = [m for m in run_checks() if m.id and m.id.startswith("platformkit.")]
    assert message.id == "platformkit.E003"
    assert "[1]" in message.msg and "not-a-fernet-key" not in message.msg + message.hint


def test_htmx_middleware_missing(good: Any) -> None:
    good.MIDDLEWARE = [m for m in good.MIDDLEWARE if "django_htmx" not in m]
    assert platformkit_ids() == ["platformkit.E004"]


def test_template_partials_missing(good: Any) -> None:
    import django

    if django.VERSION >= (6, 0):
        pytest.skip("Django 6 has template partials built in: E005 cannot fire")
    good.INSTALLED_APPS = [app for app in good.INSTALLED_APPS if app != "template_partials"]
    assert platformkit_ids() == ["platformkit.E005"]


def test_django_q_missing(good: Any) -> None:
    good.INSTALLED_APPS = [app for app in good.INSTALLED_APPS if app != "django_q"]
    assert platformkit_ids() == ["platformkit.W001"]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"timeout": 10, "retry": 10}, "below"),
        ({"timeout": None}, "below"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"catch_up": True}, "catch_up"),
    ],
)
def test_q_cluster_misconfigured(good: Any, change: dict[str, Any], fragment: str) -> None:
    good.Q_CLUSTER = {**GOOD_Q, **change}
    messages = [m for m in run_checks() if m.id == "platformkit.W002"]
    assert len(messages) == 1 and fragment in messages[0].msg and messages[0].hint


def test_q_cluster_defaults_warn_three_times(good: Any) -> None:
    good.Q_CLUSTER = {"name": "t", "orm": "default"}  # django-q2's defaults: no timeout, unbounded, catch-up
    assert platformkit_ids() == ["platformkit.W002"] * 3
