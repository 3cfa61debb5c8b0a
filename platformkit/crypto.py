"""Secrets at rest: Fernet tokens under ``PLATFORMKIT["ENCRYPTION_KEYS"]``.

A :class:`~cryptography.fernet.MultiFernet` over all keys: the first key encrypts, every key
decrypts, so keys rotate without downtime (new key first, ``platformkit_rotate_keys``, drop the
old key). Models that hold ciphertext list their fields in :data:`ENCRYPTED_FIELDS`, which is
what the rotation command walks.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from platformkit.conf import ENCRYPTION_KEYS_HINT, SetupMissing, get_config

__all__ = ["ENCRYPTED_FIELDS", "InvalidToken", "decrypt", "encrypt", "is_current", "rotate"]

# (app_label.ModelName, field name) of every column holding a Fernet token.
ENCRYPTED_FIELDS: list[tuple[str, str]] = [
    ("platformkit.ProjectCredential", "db_password_ciphertext"),
    ("platformkit.Operation", "payload_ciphertext"),
]


class KeysMissing(SetupMissing):
    """``PLATFORMKIT["ENCRYPTION_KEYS"]`` is empty: nothing can be stored encrypted."""

    def __init__(self) -> None:
        super().__init__('PLATFORMKIT["ENCRYPTION_KEYS"]', ENCRYPTION_KEYS_HINT, "platformkit.E002")


def require_keys() -> None:
    """Raise :class:`KeysMissing` now, before an action whose result must be stored encrypted
    has any effect upstream (a launched project's password would otherwise be lost)."""
    _keys()


def _keys() -> tuple[str, ...]:
    keys = tuple(get_config()["ENCRYPTION_KEYS"] or ())
    if not keys:
        raise KeysMissing
    return keys


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext: str) -> str:
    return _multi_fernet(_keys()).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """The plaintext; raises :class:`InvalidToken` when no configured key opens it."""
    return _multi_fernet(_keys()).decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The same secret re-encrypted under the first key."""
    return _multi_fernet(_keys()).rotate(token.encode()).decode()


def is_current(token: str) -> bool:
    """Whether the first (encrypting) key already opens ``token``: rotation can skip it."""
    try:
        Fernet(_keys()[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True
