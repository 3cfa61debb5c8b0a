"""Which of a function's response headers reach the caller. The invoke URL may be served from the
dashboard's own site (the local API mounted in it), so a function must not set or clear cookies
there, nor steer the connection: cookies and hop-by-hop headers (RFC 9110 §7.6.1) are dropped,
with any header the function's ``Connection`` names, and ``Content-Length`` is the server's."""

from __future__ import annotations

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
