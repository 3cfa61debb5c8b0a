"""Each system check fires on the bad setting and clears on the good one. The production
secrets (token, encryption keys) are deployment checks: a build step without them migrates,
and the dashboard answers a clear 503 page until the token is set."""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse

from .conftest import assert_valid_html, htmx_get

GOOD_KEY = Fernet.generate_key().decode()
GOOD_Q = {"name": "t", "orm": "default", "timeout": 8, "retry": 10, "max_attempts": 3, "catch_up": False}


def platformkit_ids(*, deploy: bool = False) -> list[str]:
    messages = run_checks(include_deployment_checks=deploy)
    return sorted(message.id for message in messages if message.id and message.id.startswith("platformkit."))


@pytest.fixture
def good(settings: Any) -> Any:
    settings.PLATFORMKIT = {"API_TOKEN": "sbp_test", "ENCRYPTION_KEYS": [GOOD_KEY]}
    settings.Q_CLUSTER = GOOD_Q
    return settings


def test_good_settings_pass(good: Any) -> None:
    assert platformkit_ids() == [] and platformkit_ids(deploy=True) == []


@pytest.mark.parametrize("token", ["", None])
def test_missing_api_token_is_a_deployment_check(good: Any, token: str | None) -> None:
    good.PLATFORMKIT = {**good.PLATFORMKIT, "API_TOKEN": token}
    assert platformkit_ids() == []
    assert platformkit_ids(deploy=True) == ["platformkit.E001"]
    [message] = [m for m in run_checks(include_deployment_checks=True) if m.id == "platformkit.E001"]
    assert "API_TOKEN" in message.msg and message.hint


@pytest.mark.parametrize("keys", [[], None, GOOD_KEY])  # a bare string is a classic mistake
def test_missing_encryption_keys_is_a_deployment_check(good: Any, keys: Any) -> None:
    good.PLATFORMKIT = {**good.PLATFORMKIT, "ENCRYPTION_KEYS": keys}
    assert platformkit_ids() == []
    assert platformkit_ids(deploy=True) == ["platformkit.E002"]


def test_build_step_commands_run_without_production_secrets(good: Any, tmp_path: Path) -> None:
    """migrate, collectstatic and check (their own check runs) pass; check --deploy names both."""
    good.PLATFORMKIT = {}
    good.STATIC_ROOT = tmp_path / "static"
    call_command("check", stdout=io.StringIO())
    call_command("migrate", "--plan", skip_checks=False, stdout=io.StringIO())
    call_command("collectstatic", "--noinput", skip_checks=False, stdout=io.StringIO(), verbosity=0)
    assert (tmp_path / "static" / "platformkit" / "platformkit.css").exists()
    with pytest.raises(SystemCheckError) as refused:
        call_command("check", "--deploy", stdout=io.StringIO(), stderr=io.StringIO())
    assert "platformkit.E001" in str(refused.value) and "platformkit.E002" in str(refused.value)


@pytest.mark.parametrize("path", ["", "projects/abcdefghijklmnopqrst/", "projects/abcdefghijklmnopqrst/sql/"])
def test_dashboard_without_token_shows_setup_page(operator_client: Client, settings: Any, path: str) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_TOKEN": ""}
    operator_client.raise_request_exception = True  # a traceback would fail here, not become a 500
    response = operator_client.get(reverse("platformkit:projects") + path)
    assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == "no-store"
    assert_valid_html(response.content)
    text = html.unescape(response.content.decode())
    assert "<title>Dashboard not configured</title>" in text
    assert 'PLATFORMKIT["API_TOKEN"]' in text and "manage.py check --deploy" in text
    for secret in (settings.SECRET_KEY, *settings.PLATFORMKIT["ENCRYPTION_KEYS"]):
        assert secret not in text
    assert htmx_get(operator_client, reverse("platformkit:projects")).status_code == 503


def test_setup_page_is_only_for_operators(db: None, settings: Any, make_user: Any) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "API_TOKEN": ""}
    url = reverse("platformkit:projects")
    assert Client().get(url).status_code == 302  # anonymous: to the login page first
    outsider = Client()
    outsider.force_login(make_user("outsider"))
    assert outsider.get(url).status_code == 403


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


def test_project_api_url_must_name_the_project(good: Any) -> None:
    good.PLATFORMKIT = {**good.PLATFORMKIT, "PROJECT_API_URL": "https://api.example"}
    assert platformkit_ids() == ["platformkit.E009"]
    good.PLATFORMKIT = {**good.PLATFORMKIT, "PROJECT_API_URL": "{api_url}/project/{ref}/{slug}"}
    assert platformkit_ids() == ["platformkit.E009"]
    good.PLATFORMKIT = {**good.PLATFORMKIT, "PROJECT_API_URL": "", "FUNCTIONS_URL": "{ref}/functions/v1/{slug}"}
    assert platformkit_ids() == ["platformkit.E009"]  # what FUNCTIONS_URL implies is no URL
    good.PLATFORMKIT = {**good.PLATFORMKIT, "FUNCTIONS_URL": "{api_url}/project/{ref}/functions/v1/{slug}"}
    assert platformkit_ids() == []
