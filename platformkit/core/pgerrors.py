"""PostgreSQL's error messages as the Management API relays them (psql's layout), taken apart
so a page can show the message, SQLSTATE, DETAIL and HINT, and select the failing position in
the SQL the operator wrote (the SQL editor, migrations)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PostgresError:
    message: str
    sqlstate: str | None = None
    detail: str | None = None
    hint: str | None = None
    line: int | None = None  # 1-based, in the editor's text
    column: int | None = None  # 1-based
    offset: int | None = None  # 0-based character offset in the editor's text


_HEAD = re.compile(
    r"^(?:Failed to run (?:sql query|migration|roll back): )?(?:(?:ERROR|FATAL|PANIC):\s+)?(?:([0-9A-Z]{5}): )?(.*)$"
)


def parse_error(text: str, sql: str) -> PostgresError:
    """Take the API's error message apart (psql's layout: the message, ``LINE n:`` with a caret
    line under it, ``DETAIL:``, ``HINT:``) and find the position in ``sql``."""
    lines = text.splitlines() or [text]
    head = _HEAD.match(lines[0].strip())
    sqlstate, message = (head.group(1), head.group(2)) if head else (None, lines[0])
    detail = hint = None
    line_no = column = None
    for index, line in enumerate(lines[1:], start=1):
        if line.startswith("DETAIL:"):
            detail = line.removeprefix("DETAIL:").strip()
        elif line.startswith("HINT:"):
            hint = line.removeprefix("HINT:").strip()
        elif (
            (found := re.match(r"^(LINE (\d+): )", line)) and index + 1 < len(lines) and lines[index + 1].strip() == "^"
        ):
            line_no = int(found.group(2))
            column = lines[index + 1].index("^") - len(found.group(1)) + 1
    offset = None
    if line_no is not None and column is not None:
        source_lines = sql.split("\n")
        if line_no <= len(source_lines):
            offset = sum(len(part) + 1 for part in source_lines[: line_no - 1]) + column - 1
    return PostgresError(
        message=message or text, sqlstate=sqlstate, detail=detail, hint=hint, line=line_no, column=column, offset=offset
    )
