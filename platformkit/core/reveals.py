"""Secrets shown once, through a GET that cannot be repeated (post/redirect/get for reveals).

The reveal's POST (CSRF-protected, permission-checked) does not show the secret: it redirects to
the page with a signed, short-lived token naming who may see what (:func:`issue`). That GET
redeems the token once (:func:`redeem`: a reload, Back or a copied link finds it spent) and is
answered ``Cache-Control: no-store`` by the view, so the browser keeps no copy either. The secret
itself is read and audited only when the token is redeemed.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

PARAM = "reveal"
MAX_AGE_SECONDS = 60
_SALT = "platformkit.reveal"


def issue(request: HttpRequest, kind: str, subject: str) -> str:
    """A token for ``request.user`` to see ``kind``/``subject`` once, within MAX_AGE_SECONDS."""
    user = getattr(request.user, "pk", None)
    return signing.dumps({"k": kind, "s": subject, "u": user, "n": secrets.token_urlsafe(12)}, salt=_SALT)


def redeem(request: HttpRequest, kind: str) -> str | None:
    """The subject of the request's reveal token for ``kind``, spending it; None when there is
    none, or it is forged, expired, another user's or already spent."""
    token = request.GET.get(PARAM, "")
    if not token:
        return None
    try:
        data: dict[str, Any] = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if data.get("k") != kind or data.get("u") != getattr(request.user, "pk", None):
        return None
    # One use: the first redemption marks the nonce; later ones find it (kept past the token's life).
    if not cache.add(f"platformkit:reveal:{data['n']}", 1, timeout=MAX_AGE_SECONDS * 2):
        return None
    return str(data["s"])


def spent(request: HttpRequest) -> bool:
    """The request carries a reveal token (redeemed or not): the page says it is no longer shown."""
    return bool(request.GET.get(PARAM))
