"""JSON that callers send, parsed once with the checks the local API's answers rely on: not
nested deeper than ``MAX_DEPTH`` (Python's parser would raise RecursionError, a 500) and no
lone surrogates (``"\\ud800"`` is valid JSON but no valid text: PostgreSQL and every encoder
after the parser refuse it). Each failure is a :class:`Problem` 400 naming ``what``."""

from __future__ import annotations

import json
from typing import Any

from .errors import Problem

# Deeper than any body the Management API documents (config bodies are two levels deep).
MAX_DEPTH = 64


def parse(raw: bytes | str, what: str = "Request body") -> Any:
    try:
        value = json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise Problem(400, f"{what} is nested more than {MAX_DEPTH} levels deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(400, f"{what} is not valid JSON: {exc}") from None
    check(value, what)
    return value


def _no_constant(name: str) -> Any:
    # NaN and Infinity are Python's extension to JSON: no other parser, nor PostgreSQL's jsonb,
    # takes them back.
    raise Problem(400, f"{name} is not a JSON value")


def check(value: Any, what: str = "Request body") -> None:
    """Walk ``value`` without recursion: depth, and every string and key encodable as UTF-8 and
    free of NUL (PostgreSQL's text and jsonb cannot hold U+0000, so a NUL would fail in the
    database, after the request was accepted). A NUL is named by where it is (``name``,
    ``region_selection.code``, ``[0].value``)."""
    pending: list[tuple[Any, int, str]] = [(value, 1, "")]
    while pending:
        item, depth, where = pending.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise Problem(400, f"{what} is nested more than {MAX_DEPTH} levels deep")
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_text(key, what, f"{what}: a key of {where}" if where else f"{what}: a key")
                    pending.append((child, depth + 1, f"{where}.{key}" if where else key))
            else:
                pending.extend((child, depth + 1, f"{where}[{index}]") for index, child in enumerate(item))
        elif isinstance(item, str):
            _check_text(item, what, where or what)


def _check_text(text: str, what: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Problem(400, f"{what} holds a lone surrogate ({text[:40]!a}): not valid text") from None
    if "\x00" in text:
        raise Problem(400, f"{where} must not contain NUL characters")
