"""Minting an embed link and exchanging it, once, for an embed session.

The link carries ``<grant id>.<secret>`` signed with Django's signer (so a tampered or
truncated link is told apart before any lookup); only SHA-256 hashes of the secret and of the
session key are stored, so a database leak opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from platformkit.conf import get_config
from platformkit.embed import permissions as perms
from platformkit.embed.theme import clean_theme
from platformkit.models import EmbedGrant, EmbedSession

SALT = "platformkit.embed.grant"


class EmbedError(Exception):
    """Why a link cannot be exchanged: shown on a plain error page (``kind`` picks the words)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind  # "invalid", "expired", "used", "origin"


@dataclass(frozen=True)
class EmbedLink:
    token: str
    grant: EmbedGrant

    def url(self, start_url: str) -> str:
        """``start_url`` is ``reverse("platformkit:embed-start")`` made absolute by the caller."""
        return f"{start_url}?token={self.token}"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalize_origin(origin: str) -> str:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") or parts.query:
        raise perms.PermissionError(f"origin must be scheme://host[:port], not {origin!r}")
    return f"{parts.scheme}://{parts.netloc}".lower()


def mint(
    project_ref: str,
    *,
    subject: str,
    origin: str,
    permissions: Mapping[str, Any] | None = None,
    theme: Mapping[str, str] | None = None,
    ttl_seconds: int | None = None,
) -> EmbedLink:
    """A one-time link for ``subject`` (the host's end-user id) to ``project_ref``, framed by ``origin``."""
    config = get_config()
    origin = normalize_origin(origin)
    allowed = {normalize_origin(item) for item in config["EMBED_ALLOWED_ORIGINS"]}
    if origin not in allowed:
        raise perms.PermissionError(f"origin {origin} is not in PLATFORMKIT['EMBED_ALLOWED_ORIGINS']")
    if not subject or len(subject) > 255:
        raise perms.PermissionError("subject (the end-user's id in the host) is required, at most 255 characters")
    ttl = int(ttl_seconds or config["EMBED_GRANT_SECONDS"])
    if not 0 < ttl <= 3600:
        raise perms.PermissionError("a link lives between 1 second and 1 hour")
    secret = secrets.token_urlsafe(32)
    grant = EmbedGrant.objects.create(
        secret_hash=digest(secret),
        project_ref=project_ref,
        subject=subject,
        origin=origin,
        permissions=perms.normalize(permissions),
        theme=clean_theme(theme),
        expires_at=timezone.now() + timedelta(seconds=ttl),
    )
    return EmbedLink(signing.dumps(f"{grant.pk}.{secret}", salt=SALT, compress=False), grant)


def exchange(token: str) -> tuple[EmbedSession, str]:
    """Consume the link (one atomic UPDATE: unused and unexpired) and open a session.

    Returns the session and its key (for the cookie). Raises :class:`EmbedError`."""
    try:
        grant_id, _, secret = str(signing.loads(token, salt=SALT)).partition(".")
        grant_pk = int(grant_id)
    except (signing.BadSignature, ValueError):
        raise EmbedError("invalid") from None
    now = timezone.now()
    with transaction.atomic():
        claimed = EmbedGrant.objects.filter(
            pk=grant_pk, secret_hash=digest(secret), used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not claimed:
            grant = EmbedGrant.objects.filter(pk=grant_pk, secret_hash=digest(secret)).first()
            if grant is None:
                raise EmbedError("invalid")
            raise EmbedError("used" if grant.used_at else "expired")
        grant = EmbedGrant.objects.get(pk=grant_pk)
        key = secrets.token_urlsafe(32)
        session = EmbedSession.objects.create(
            key_hash=digest(key),
            grant=grant,
            project_ref=grant.project_ref,
            subject=grant.subject,
            permissions=grant.permissions,
            theme=grant.theme,
            origin=grant.origin,
            csrf_secret=get_random_string(32, string.ascii_letters + string.digits),
            expires_at=now + timedelta(seconds=int(get_config()["EMBED_SESSION_SECONDS"])),
        )
    return session, key


def active_session(key: str | None) -> EmbedSession | None:
    if not key:
        return None
    return EmbedSession.objects.filter(
        key_hash=digest(key), revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def ended_session(key: str | None) -> EmbedSession | None:
    """The session ``key`` named once, now expired or revoked; ``None`` for a key never issued."""
    if not key:
        return None
    session = EmbedSession.objects.filter(key_hash=digest(key)).first()
    if session is None or (session.revoked_at is None and session.expires_at > timezone.now()):
        return None
    return session


def revoke(*, subject: str | None = None, project_ref: str | None = None, session_id: int | None = None) -> int:
    """End embed sessions now (by end-user, project or id); returns how many were open."""
    sessions = EmbedSession.objects.filter(revoked_at__isnull=True)
    if subject is not None:
        sessions = sessions.filter(subject=subject)
    if project_ref is not None:
        sessions = sessions.filter(project_ref=project_ref)
    if session_id is not None:
        sessions = sessions.filter(pk=session_id)
    if subject is None and project_ref is None and session_id is None:
        raise ValueError("name a subject, a project or a session to revoke")
    return sessions.update(revoked_at=timezone.now())
