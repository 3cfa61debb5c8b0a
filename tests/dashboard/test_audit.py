"""The Audit trail section: what operators and embeds read of ``AuditEvent``, its filters,
keyset pages and the streamed CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.core.audit import audit
from platformkit.models import AuditEvent
from tests.dashboard.conftest import assert_valid_html
from tests.embed.conftest import embed_client, embed_settings  # noqa: F401 (fixtures)

MINE, OTHER = "aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb"


@pytest.fixture
def trail(operator: Any, make_user: Any) -> dict[str, AuditEvent]:
    alice = make_user("alice", is_staff=True)
    events = {
        "reveal": audit(operator, "connect.reveal", project_ref=MINE, detail={"target": MINE}),
        "failed": audit(
            alice, "connect.reveal", project_ref=MINE, success=False, detail={"reason": "no stored password"}
        ),
        "delete": audit(alice, "database.delete", project_ref=MINE, detail={"table": "=cmd|' /C calc'!A0"}),
        "other": audit(operator, "settings.api_keys.reveal", project_ref=OTHER, detail={"key": "default"}),
        "host": audit(None, "embed.session.start", detail={"subject": "<script>x</script>"}),
    }
    old = audit(operator, "project.pause", project_ref=MINE)
    AuditEvent.objects.filter(pk=old.pk).update(created_at=datetime(2026, 1, 1, 12, tzinfo=UTC))
    events["old"] = AuditEvent.objects.get(pk=old.pk)
    return events


def shown(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-audit-event="(\d+)"', html)]


def test_project_trail_shows_only_its_project_newest_first(
    operator_client: Client, trail: dict[str, AuditEvent], api: Any
) -> None:
    response = operator_client.get(reverse("platformkit:audit", args=[MINE]))
    assert response.status_code == 200
    assert_valid_html(response.content)
    html = response.content.decode()
    assert shown(html) == [trail[k].pk for k in ("delete", "failed", "reveal", "old")]
    assert "settings.api_keys.reveal" not in html and "embed.session.start" not in html
    assert f'href="{reverse("platformkit:audit-all")}"' in html
    # In the project's navigation.
    assert f'href="{reverse("platformkit:audit", args=[MINE])}"' in html


def test_filters(operator_client: Client, trail: dict[str, AuditEvent], api: Any) -> None:
    url = reverse("platformkit:audit", args=[MINE])

    def ids(**params: str) -> list[int]:
        response = operator_client.get(url, params)
        assert response.status_code == 200
        return shown(response.content.decode())

    assert ids(actor="ALI") == [trail["delete"].pk, trail["failed"].pk]
    assert ids(action="connect") == [trail["failed"].pk, trail["reveal"].pk]  # a family of actions
    assert ids(action="connect.reveal", outcome="failure") == [trail["failed"].pk]
    assert ids(action="conn") == []  # not a prefix of names, a family
    assert ids(end="2026-01-02T00:00") == [trail["old"].pk]
    assert ids(start="2026-01-02T00:00", actor="operator") == [trail["reveal"].pk]
    empty = operator_client.get(url, {"actor": "nobody"}).content.decode()
    assert "No event matches these filters." in empty and 'value="nobody"' in empty
    for bad in (
        {"start": "yesterday"},
        {"outcome": "maybe"},
        {"start": "2026-02-01", "end": "2026-01-01"},
        {"after": "x|y"},
    ):
        response = operator_client.get(url, bad)
        assert response.status_code == 400 and b"data-audit-input-error" in response.content, bad


def test_across_projects_with_project_filter(operator_client: Client, trail: dict[str, AuditEvent], api: Any) -> None:
    url = reverse("platformkit:audit-all")
    response = operator_client.get(url)
    assert response.status_code == 200
    assert_valid_html(response.content)
    html = response.content.decode()
    assert set(shown(html)) == {event.pk for event in trail.values()}
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
    assert f'<option value="{OTHER}">' in html
    only_other = shown(operator_client.get(url, {"project": OTHER}).content.decode())
    assert only_other == [trail["other"].pk]


def test_an_operator_sees_only_visible_projects(
    client: Client, trail: dict[str, AuditEvent], make_user: Any, settings: Any
) -> None:
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "PERMISSION_POLICY": f"{__name__}.only_other"}
    client.force_login(make_user("scoped", is_staff=True))
    assert shown(client.get(reverse("platformkit:audit-all")).content.decode()) == [trail["other"].pk]
    assert client.get(reverse("platformkit:audit", args=[MINE])).status_code == 404
    rows = list(
        csv.reader(
            io.StringIO(b"".join(client.get(reverse("platformkit:audit-all-export")).streaming_content).decode())
        )
    )
    assert [row[2] for row in rows[1:]] == ["settings.api_keys.reveal"]


def only_other(user: Any) -> Any:
    from platformkit.access import Access

    return Access(visible_refs=frozenset({OTHER}))


def test_keyset_pages(operator_client: Client, operator: Any, api: Any) -> None:
    for number in range(120):
        audit(operator, "sql.run", project_ref=MINE, detail={"n": number})
    url = reverse("platformkit:audit", args=[MINE])
    seen: list[int] = []
    html = operator_client.get(url, {"action": "sql"}).content.decode()
    while True:
        seen += shown(html)
        found = re.search(r'<a href="([^"]+)" rel="next">', html)
        if not found:
            break
        html = operator_client.get(found.group(1).replace("&amp;", "&")).content.decode()
        assert "Newest" in html
    assert len(seen) == 120 == len(set(seen)) and seen == sorted(seen, reverse=True)


def test_csv_export_streams_the_filtered_rows(operator_client: Client, trail: dict[str, AuditEvent], api: Any) -> None:
    page = operator_client.get(reverse("platformkit:audit", args=[MINE]), {"actor": "alice"}).content.decode()
    export = re.search(r'href="([^"]+)" data-audit-export', page).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    response = operator_client.get(export)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="audit-{MINE}.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["time", "actor", "action", "project", "outcome", "detail"]
    assert [(row[1], row[2], row[4]) for row in rows[1:]] == [
        ("alice", "database.delete", "success"),
        ("alice", "connect.reveal", "failure"),
    ]
    assert rows[1][5].startswith("{") and "=cmd" in rows[1][5]
    assert operator_client.get(export + "&outcome=maybe").status_code == 400


def test_embed_needs_the_grant_and_sees_its_project_only(
    embed_client: Any, trail: dict[str, AuditEvent], api: Any
) -> None:  # noqa: F811
    url = reverse("platformkit:audit", args=[MINE])
    assert embed_client(MINE, {"sections": {"database": "read"}}).get(url).status_code == 404
    granted = embed_client(MINE, {"sections": {"audit": "read"}})
    response = granted.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    ours = {trail[k].pk for k in ("reveal", "failed", "delete", "old")}
    assert ours <= set(shown(html)) and trail["other"].pk not in shown(html)
    # The rest are the embed sessions just opened for this project: audited too.
    extra = set(shown(html)) - ours
    assert extra and all(AuditEvent.objects.get(pk=pk).action.startswith("embed.") for pk in extra)
    assert all(AuditEvent.objects.get(pk=pk).project_ref == MINE for pk in extra)
    assert "data-audit-all" not in html  # no way out of the project
    assert granted.get(reverse("platformkit:audit", args=[OTHER])).status_code == 404
    assert granted.get(reverse("platformkit:audit-all")).status_code == 404
    assert granted.get(reverse("platformkit:audit-all-export")).status_code == 404
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(granted.get(reverse("platformkit:audit-export", args=[MINE])).streaming_content).decode()
            )
        )
    )
    assert {row[3] for row in rows[1:]} == {MINE}


def test_recent_window(operator_client: Client, trail: dict[str, AuditEvent], api: Any) -> None:
    start = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    ids = shown(operator_client.get(reverse("platformkit:audit", args=[MINE]), {"start": start}).content.decode())
    assert trail["old"].pk not in ids and trail["reveal"].pk in ids


def test_details_read_as_text_not_python_values(operator_client: Client, operator: Any) -> None:
    report = {"rows_changed": [{"table": "public.todos", "before": 3, "after": 0}], "tables_removed": []}
    audit(operator, "restore_points.undo", project_ref=MINE, detail={"report": report, "branch": None, "done": True})
    audit(operator, "branches.create", project_ref=MINE, detail={"secret_names": ["STRIPE_KEY", "<b>X</b>"]})
    html = operator_client.get(reverse("platformkit:audit", args=[MINE])).content.decode()
    assert_valid_html(html)
    shown = html.split('data-detail="report">')[1].split("</span>")[0]  # jsonb keeps its own key order
    assert shown.startswith("report: rows changed: ") and "tables removed" not in shown
    assert {"table: public.todos", "before: 3", "after: 0"} == set(
        shown.removeprefix("report: rows changed: ").split(", ")
    )
    assert "done: yes" in html and "secret names: STRIPE_KEY, &lt;b&gt;X&lt;/b&gt;</span>" in html
    assert "branch:" not in html and "None" not in html  # an empty value is left out
    assert "{" not in html.split("data-audit-events")[1] and "[" not in html.split("data-audit-events")[1]
