"""Secrets at rest and key rotation."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from platformkit import crypto
from platformkit.models import ProjectCredential

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def keys(settings: Any) -> Any:
    def use(*keys: str) -> None:
        settings.PLATFORMKIT = {**settings.PLATFORMKIT, "ENCRYPTION_KEYS": list(keys)}

    return use


def test_round_trip_and_ciphertext_is_not_plaintext(keys: Any) -> None:
    keys(OLD)
    token = crypto.encrypt("s3cret-value")
    assert "s3cret-value" not in token
    assert crypto.decrypt(token) == "s3cret-value"
    assert crypto.encrypt("s3cret-value") != token  # random IV: equal secrets don't look equal


def test_first_key_encrypts_all_keys_decrypt(keys: Any) -> None:
    keys(OLD)
    old_token = crypto.encrypt("value")
    keys(NEW, OLD)
    assert crypto.decrypt(old_token) == "value"
    assert not crypto.is_current(old_token)
    assert crypto.is_current(crypto.encrypt("value"))
    assert Fernet(NEW).decrypt(crypto.rotate(old_token).encode()) == b"value"


def test_unknown_key_is_refused(keys: Any) -> None:
    keys(OLD)
    token = crypto.encrypt("value")
    keys(NEW)
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token)


@pytest.mark.django_db
def test_rotate_command_then_drop_the_old_key(keys: Any) -> None:
    keys(OLD)
    for number in range(5):
        ProjectCredential.store(f"ref{number:017d}", f"password-{number}")
    keys(NEW, OLD)
    ProjectCredential.store("refnewalreadycurrent", "password-new")

    out = StringIO()
    call_command("platformkit_rotate_keys", batch_size=2, stdout=out)
    assert "5 re-encrypted, 1 already current, 0 unreadable" in out.getvalue()

    keys(NEW)  # the old key is gone
    revealed = {c.project_ref: c.reveal_db_password() for c in ProjectCredential.objects.all()}
    assert revealed == {**{f"ref{n:017d}": f"password-{n}" for n in range(5)}, "refnewalreadycurrent": "password-new"}

    again = StringIO()
    call_command("platformkit_rotate_keys", stdout=again)  # idempotent
    assert "0 re-encrypted, 6 already current" in again.getvalue()


@pytest.mark.django_db
def test_dry_run_writes_nothing(keys: Any) -> None:
    keys(OLD)
    credential = ProjectCredential.store("refdryrun00000000000", "pw")
    keys(NEW, OLD)
    out = StringIO()
    call_command("platformkit_rotate_keys", dry_run=True, stdout=out)
    assert "would re-encrypt 1" in out.getvalue()
    credential.refresh_from_db()
    assert not crypto.is_current(credential.db_password_ciphertext)


@pytest.mark.django_db
def test_rotate_reports_values_no_key_opens(keys: Any) -> None:
    keys(OLD)
    ProjectCredential.store("reflostkey0000000000", "pw")
    keys(NEW)  # dropped the old key too early
    with pytest.raises(CommandError, match="1 value"):
        call_command("platformkit_rotate_keys", stdout=StringIO())


@pytest.mark.django_db
def test_rotation_covers_a_config_change_waiting_in_an_operation(keys: Any) -> None:
    import json
    from datetime import timedelta

    from django.utils import timezone

    from platformkit.models import Operation

    keys(OLD)
    waiting = Operation.objects.create(
        kind="settings.config.auth",
        project_ref="refwaiting0000000000",
        deadline=timezone.now() + timedelta(hours=1),
        payload_ciphertext=crypto.encrypt(json.dumps({"smtp_pass": "s3cret"})),
    )
    keys(NEW, OLD)
    out = StringIO()
    call_command("platformkit_rotate_keys", stdout=out)
    assert "platformkit.Operation.payload_ciphertext: 1 re-encrypted" in out.getvalue()
    keys(NEW)
    waiting.refresh_from_db()
    assert json.loads(crypto.decrypt(waiting.payload_ciphertext)) == {"smtp_pass": "s3cret"}
