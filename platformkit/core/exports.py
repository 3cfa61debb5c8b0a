"""What every download the dashboard offers shares: CSV cells a spreadsheet will not run."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV cell: one starting with ``=``, ``+``, ``-`` or ``@`` is a formula to
    Excel and LibreOffice (CSV injection), and so is one after a leading tab or carriage return
    (OWASP's list), so it is kept text with a leading ``'``; numbers, signed ones included, stay
    numbers."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
