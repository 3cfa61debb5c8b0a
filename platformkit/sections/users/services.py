"""Reading ``auth.users`` and ``auth.identities`` through ``database/query``: every value a
bound parameter, every query read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from platformkit.core.client import get_client

PAGE_SIZE = 50
CHART_DAYS = (7, 30, 90)

_USER_COLUMNS = """u.id::text as id, u.email, u.phone, u.created_at::text as created_at,
  u.last_sign_in_at::text as last_sign_in_at, u.email_confirmed_at::text as email_confirmed_at,
  u.phone_confirmed_at::text as phone_confirmed_at,
  (u.email_confirmed_at is not null or u.phone_confirmed_at is not null) as confirmed,
  u.banned_until::text as banned_until, u.is_anonymous, u.is_sso_user,
  coalesce((select json_agg(distinct i.provider) from auth.identities i where i.user_id = u.id), '[]') as providers"""

# $1: the search ('' for none), $2/$3: the cursor (created_at, id) or nulls, $4: the page size + 1.
# An id is matched whole (a uuid); email and phone by substring, case-insensitively.
LIST_SQL = f"""
select {_USER_COLUMNS}
from auth.users u
where ($1 = '' or u.email ilike '%' || $1 || '%' or u.phone ilike '%' || $1 || '%' or u.id::text = lower($1))
  and ($2::timestamptz is null or (u.created_at, u.id) < ($2::timestamptz, $3::uuid))
order by u.created_at desc, u.id desc
limit $4::int
"""

DETAIL_SQL = f"""
select {_USER_COLUMNS}, u.raw_app_meta_data as app_metadata, u.raw_user_meta_data as user_metadata,
  u.updated_at::text as updated_at,
  coalesce((select json_agg(json_build_object(
      'provider', i.provider, 'provider_id', i.provider_id, 'email', i.identity_data ->> 'email',
      'created_at', i.created_at::text, 'last_sign_in_at', i.last_sign_in_at::text) order by i.created_at)
    from auth.identities i where i.user_id = u.id), '[]') as identities
from auth.users u where u.id = $1::uuid
"""

# Days from $1 days ago to today (UTC), each with its sign-ups.
SIGNUPS_SQL = """
with today as (select (now() at time zone 'utc')::date as day)
select d::date::text as day, count(u.id) as signups
from today, generate_series(today.day - ($1::int - 1), today.day, interval '1 day') d
left join auth.users u
  on u.created_at >= d at time zone 'utc' and u.created_at < (d + interval '1 day') at time zone 'utc'
group by d order by d
"""


def _read(target_ref: str, sql: str, parameters: list[Any]) -> list[dict[str, Any]]:
    return get_client(cached=False).database.query(target_ref, sql, parameters=parameters, read_only=True)


@dataclass
class UserPage:
    users: list[dict[str, Any]]
    next_cursor: tuple[str, str] | None  # (created_at, id) of the last user shown


def users(target_ref: str, search: str = "", after: tuple[str, str] | None = None, size: int = PAGE_SIZE) -> UserPage:
    created, user_id = after or (None, None)
    rows = _read(target_ref, LIST_SQL, [search.strip(), created, user_id, size + 1])
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1] if rows else None
    return UserPage(rows, (last["created_at"], last["id"]) if more and last else None)


def user(target_ref: str, user_id: str) -> dict[str, Any] | None:
    rows = _read(target_ref, DETAIL_SQL, [user_id])
    return rows[0] if rows else None


@dataclass(frozen=True)
class Bar:
    day: date
    count: int
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Chart:
    days: int
    total: int
    peak: int
    bars: list[Bar]
    width: int
    height: int
    bar_width: float


CHART_WIDTH, CHART_HEIGHT, CHART_TOP = 720, 160, 10


def signups(target_ref: str, days: int) -> Chart:
    rows = _read(target_ref, SIGNUPS_SQL, [days])
    return chart(days, [(date.fromisoformat(row["day"]), int(row["signups"])) for row in rows])


def chart(days: int, counts: list[tuple[date, int]]) -> Chart:
    """Bars laid out for the SVG: one per day, scaled to the busiest day."""
    if not counts:
        today = date.today()
        counts = [(today - timedelta(days=offset), 0) for offset in reversed(range(days))]
    peak = max(count for _, count in counts) or 1
    slot = CHART_WIDTH / len(counts)
    usable = CHART_HEIGHT - CHART_TOP
    bars = []
    for index, (day, count) in enumerate(counts):
        height = usable * count / peak
        bars.append(Bar(day, count, index * slot + slot * 0.1, CHART_HEIGHT - height, height))
    return Chart(days, sum(count for _, count in counts), peak, bars, CHART_WIDTH, CHART_HEIGHT, slot * 0.8)
