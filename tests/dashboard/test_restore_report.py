"""After an undo or a PITR, the restore points page (and the operation's page) shows what it
reverted: tables whose row counts changed, tables removed or back, migrations reverted; or why
the report is unavailable. Against the local API over real HTTP and real PostgreSQL."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import psycopg
from django.test import Client
from django.urls import reverse

from platformkit.models import Operation, RestorePoint
from tests.conftest import project_admin_url
from tests.dashboard.conftest import assert_valid_html
from tests.dashboard.test_restore_points import (  # noqa: F401 (fixture)
    pitr_then_lost,
    project,
    run_operations,
    sql,
    timeline_url,
)


def _report(html: str) -> str:
    assert "data-restore-report" in html, html[-3000:]
    return html.split("data-restore-report")[1].split("</div>")[0]


def _finished(kind: str, ref: str) -> Operation:
    """Run the tasks until the recovery ``kind`` on ``ref`` ends (its health wait may take runs)."""
    run_operations()
    operation = Operation.objects.get(kind=kind, project_ref=ref)
    assert operation.status == "succeeded", operation.message
    return operation


def _point_between(client: Client, api: Any, ref: str, table: str, before: str, after: str) -> RestorePoint:
    """``table`` (one int column) holding the rows ``before``, a restore point, then rows ``after``."""
    sql(api, ref, f"create table {table} (id int); insert into {table} values {before}")
    assert client.post(reverse("platformkit:restore-point-create", args=[ref]), {"name": "point"}).status_code == 302
    run_operations()
    point = RestorePoint.objects.get(target_ref=ref, name="point")
    assert point.status == "AVAILABLE"
    sql(api, ref, f"insert into {table} values {after}")
    return point


def test_undo_reports_rows_tables_and_migrations_reverted(
    operator_client: Client,
    project: Any,  # noqa: F811
    api: Any,
    upstream: Any,
) -> None:
    ref = project.ref
    point = _point_between(operator_client, api, ref, "public.todos", "(1), (2)", "(3), (4), (5)")
    time.sleep(1.1)  # the migration's version (its second) comes after the point's
    upstream.database.apply_migration(ref, query="create table public.extra (id int)", name="add_extra")

    done = operator_client.post(reverse("platformkit:restore-point-undo", args=[ref, point.pk]), {"confirm_ref": ref})
    assert done.status_code == 302
    operation = _finished("restore_points.undo", ref)

    page = operator_client.get(done["Location"]).content.decode()
    assert_valid_html(page)
    report = _report(page)
    assert "Table <code>public.todos</code>: 5 rows before, 2 now" in report, report
    assert 'data-report-removed="public.extra"' in report
    assert "add_extra</code> reverted" in report
    assert "census_before" not in str(operation.params)  # kept only while the recovery ran
    # The operation's own page shows the same report.
    detail = operator_client.get(reverse("platformkit:operation", args=[operation.pk])).content.decode()
    assert "5 rows before, 2 now" in _report(detail)


def test_pitr_reports_what_it_reverted(operator_client: Client, project: Any, api: Any) -> None:  # noqa: F811
    ref = project.ref
    when = pitr_then_lost(api, ref, "('lost'), ('lost too')")
    url = reverse("platformkit:restore-points-pitr", args=[ref])
    # The window, earliest and latest restorable second, on the timeline and in the form.
    timeline = operator_client.get(timeline_url(ref)).content.decode()
    window = timeline.split("data-pitr-window>")[1].split("</p>")[0]
    assert window.startswith("Enabled: restorable to the second from <time") and window.count("<time") == 2
    form = operator_client.get(url).content.decode()
    assert_valid_html(form)
    assert "(earliest) to <time" in form and "(latest) UTC" in form
    earliest = form.split('min="')[1].split('"')[0]
    assert earliest <= when
    future = operator_client.post(url, {"recovery_time": "2999-01-01T00:00:00", "step": "review"})
    assert future.status_code == 400 and b"Pick a time between" in future.content
    assert b'value="2999-01-01T00:00:00"' in future.content  # what was typed is kept
    done = operator_client.post(
        url, {"recovery_time": when, "step": "confirm", "confirm_ref": ref, "understood": "yes"}
    )
    assert done.status_code == 302, done.content.decode()[-2000:]
    _finished("restore_points.pitr", ref)
    report = _report(operator_client.get(done["Location"]).content.decode())
    assert "Table <code>public.t</code>: 3 rows before, 1 now" in report


def test_a_census_that_cannot_finish_says_why_and_the_undo_goes_ahead(
    operator_client: Client,
    project: Any,  # noqa: F811
    api: Any,
) -> None:
    ref = project.ref
    point = _point_between(operator_client, api, ref, "public.locked", "(1)", "(2)")
    done = operator_client.post(reverse("platformkit:restore-point-undo", args=[ref, point.pk]), {"confirm_ref": ref})
    assert done.status_code == 302
    # The tenant's app holds a lock on the table: counting it runs into the statement timeout.
    holder = psycopg.connect(project_admin_url(api, ref))
    try:
        holder.execute("lock table public.locked in access exclusive mode")
        run_operations()
    finally:
        with contextlib.suppress(psycopg.Error):  # the undo replaced the server under it
            holder.close()
    _finished("restore_points.undo", ref)
    assert sql(api, ref, "select count(*) from public.locked") == [(1,)]
    report = _report(operator_client.get(done["Location"]).content.decode())
    assert "data-report-unavailable" in report and "could not be counted" in report
    assert "timeout" in report.lower() or "slow" in report.lower(), report
