"""Idempotency keys on mutating forms: a replayed POST does its work once.

Every mutating form carries a fresh key in a hidden field (``{% idempotency_field %}`` from
``platformkit_tags``). A view wrapped in :func:`idempotent` claims the key for its operator
(the user, or the embed session) and path before it runs; when it ends in a redirect
(post/redirect/get), the redirect's address is kept under the key for ``TTL_SECONDS``. The same
key again (a double click, Back and resubmit, a retried request) changes nothing and is sent to
that first address. An answer that is not a redirect (a form with errors, an upstream failure)
releases the key: nothing was done, so correcting the input and sending it again must work.

The keys live in Django's cache, like :mod:`platformkit.core.reveals`' nonces: ``cache.add`` is
the atomic claim. The configured cache must be shared by the site's processes (a per-process
``LocMemCache`` only stops replays reaching the same process).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.html import format_html
from django.utils.safestring import SafeString

__all__ = ["FIELD", "TTL_SECONDS", "field_html", "idempotent", "is_key", "new_key", "operator_key"]

FIELD = "idempotency_key"
TTL_SECONDS = 15 * 60  # longer than any Back-and-resubmit an operator would do, short enough to forget
# A second copy arriving while the first still runs waits this long for the first one's answer.
WAIT_SECONDS = 10.0
_PENDING = "pending"
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

View = Callable[..., HttpResponse]


def new_key() -> str:
    return secrets.token_urlsafe(18)


def is_key(key: str) -> bool:
    """Shaped as :func:`new_key` makes them (what a form may send on as the API's own key)."""
    return bool(_SHAPE.match(key))


def field_html() -> SafeString:
    """The hidden input every mutating form renders (a new key each time the form is shown)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())


def operator_key(request: HttpRequest) -> str:
    """Who is acting: the signed-in user, or the embed session (its end-user has no account)."""
    session = getattr(request, "platformkit_embed", None)
    if session is not None:
        return f"embed:{session.pk}"
    return f"user:{getattr(request.user, 'pk', None)}"


def _cache_key(request: HttpRequest, key: str) -> str:
    return f"platformkit:idempotency:{operator_key(request)}:{request.path}:{key}"


def _replayed(cache_key: str) -> HttpResponse | None:
    """The answer to a key already claimed: the first result's address, once it has one; None
    when the first copy released the key meanwhile (it did nothing: this one may run)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        location = cache.get(cache_key)
        if location is None:
            return None
        if location != _PENDING:
            return HttpResponseRedirect(location)
        if time.monotonic() >= deadline:
            return HttpResponse("This form was already sent and is still being processed.", status=409)
        time.sleep(0.1)


def idempotent(view: View) -> View:
    """Run ``view`` once per idempotency key (see the module docstring). Put it under the gate
    (``project_view``): a refused request must not spend the key. A POST without a key runs as
    before (a form this package does not render); a malformed key is a 400."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not key:
            return view(request, *args, **kwargs)
        if not _SHAPE.match(key):
            return HttpResponseBadRequest("Malformed idempotency key; reload the page and send the form again.")
        cache_key = _cache_key(request, key)
        while not cache.add(cache_key, _PENDING, timeout=TTL_SECONDS):
            replayed = _replayed(cache_key)
            if replayed is not None:
                return replayed
        response: HttpResponse | None = None
        try:
            response = view(request, *args, **kwargs)
        finally:
            location = response.get("Location") if response is not None and 300 <= response.status_code < 400 else None
            if location:
                cache.set(cache_key, location, timeout=TTL_SECONDS)
            else:
                cache.delete(cache_key)
        return response

    wrapped.platformkit_idempotent = True  # type: ignore[attr-defined]
    return wrapped
