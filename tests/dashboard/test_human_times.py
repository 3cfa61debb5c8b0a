"""Times as people read them: relative ("5 minutes ago"), the exact UTC time on hover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.template import engines

from platformkit.templatetags.platformkit_tags import ago

NOW = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)


def test_ago_says_it_as_people_do() -> None:
    assert ago(NOW - timedelta(seconds=10), NOW) == "just now"
    assert ago(NOW - timedelta(minutes=1), NOW) == "1 minute ago"
    assert ago(NOW - timedelta(minutes=5, seconds=10), NOW) == "5 minutes ago"
    assert ago(NOW - timedelta(hours=3), NOW) == "3 hours ago"
    assert ago(NOW - timedelta(days=2, hours=20), NOW) == "2 days ago"
    assert ago(NOW + timedelta(hours=2), NOW) == "in 2 hours"
    assert ago(NOW - timedelta(days=90), NOW) == "2 Sep 2026"
    assert ago("not a time", NOW) == "not a time"


def test_when_shows_relative_with_the_exact_time_on_hover() -> None:
    template = engines["django"].from_string('{% include "platformkit/includes/when.html" %}')
    created = (datetime.now(UTC) - timedelta(hours=5)).replace(microsecond=0)
    html = template.render({"value": created.isoformat().replace("+00:00", "Z")})
    assert ">5 hours ago</time>" in html
    assert f'title="{created:%-d %b %Y, %H:%M:%S} UTC"' in html and f'datetime="{created.isoformat()}"' in html
    assert template.render({"value": ""}).strip() == "—"
