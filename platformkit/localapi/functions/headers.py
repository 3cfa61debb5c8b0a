"""Which of a function's response headers reach the caller. The invoke URL may be served from the
dashboard's own site (the local API mounted in it), so a function must not set or clear cookies
there, nor steer the connection: cookies and hop-by-hop headers (RFC 9110 §7.6.1) are dropped,
with any header the function's ``Connection`` names, and ``Content-Length`` is the server's."""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping

WITHHELD = frozenset(
    {
        "set-cookie",
        "set-cookie2",
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)


def passed(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (name, value) pairs a caller may see, in order."""
    pairs = list(headers.items() if isinstance(headers, Mapping) else headers)
    named = {
        token.strip().lower() for name, value in pairs if name.lower() == "connection" for token in value.split(",")
    }
    return [
        (name, value)
        for name, value in pairs
        if (lowered := name.lower()) not in WITHHELD and not lowered.startswith("proxy-") and lowered not in named
    ]


# Request headers a function never sees: the browser sends the site's cookies to every port of
# its host (the demo's site and local API share 127.0.0.1), and a function could carry an
# operator's session, CSRF token or Management API token off to any host it may reach.
_NOT_FORWARDED = frozenset({"cookie", "cookie2", "x-csrftoken"})

# Set on every function answer, over whatever the function said: with the local API mounted in
# the dashboard's site, a function's HTML would otherwise run scripts on the dashboard's origin
# (the hosted platform serves functions from <ref>.supabase.co, a site of their own).
HARDENING = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"}


def forwarded(headers: Mapping[str, str], management_token: str) -> dict[str, str]:
    """The caller's request headers as the function receives them (lower-cased names)."""
    kept = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in _NOT_FORWARDED:
            continue
        if lowered == "authorization" and management_token:
            presented = value.removeprefix("Bearer ").removeprefix("bearer ").strip()
            if hmac.compare_digest(presented.encode(), management_token.encode()):
                continue  # the Management API's own token is no function's business
        kept[lowered] = value
    return kept
