"""The undo and PITR previews name what a recovery removes: a migration a merge brought to
production after the restore point (its version is older: the second it was applied on the
branch), and the table it created; against the local API and a real database."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from django.test import Client
from django.urls import reverse

from platformkit.models import AuditEvent, Operation, RestorePoint
from platformkit.sections.branches import tasks as branch_tasks
from platformkit.sections.restore_points import tasks as recovery_tasks
from tests.dashboard.test_branches_migrations import _create_branch, project_ref  # noqa: F401 (fixture)


def _preview(html: str, action: str) -> str:
    return html.split(f'data-destructive-preview="{action}"')[1].split("</div>")[0]


def test_undo_and_pitr_previews_name_the_migration_a_merge_brought(
    operator_client: Client,
    project_ref: str,  # noqa: F811
    upstream: Any,
    api: Any,
) -> None:
    dev = _create_branch(operator_client, project_ref)
    applied = operator_client.post(
        reverse("platformkit:migrations-apply", args=[project_ref]) + f"?branch={dev}",
        {
            "name": "todos",
            "sql": "create table public.todos (id int primary key, title text);"
            " alter table public.todos enable row level security",
        },
    )
    assert applied.status_code == 302
    seeded = operator_client.post(
        reverse("platformkit:migrations-seed", args=[project_ref]) + f"?branch={dev}",
        {"sql": "insert into public.todos values (1, 'write tests')"},
    )
    assert seeded.status_code == 302
    # The automatic points after each change name the branch as every other record does.
    automatic = RestorePoint.objects.filter(target_ref=dev, name__startswith="auto-")
    assert {(p.branch_name, p.reason) for p in automatic} == {
        ("dev", "after migration todos"),
        ("dev", "after seed data"),
    }
    recorded = AuditEvent.objects.filter(action="restore_points.create", detail__target=dev)
    assert {event.detail["branch"] for event in recorded} == {"dev"}
    version = next(m.version for m in upstream.database.list_migrations(dev) if m.name == "todos")
    api.api.backups.set_pitr(project_ref, 7)
    time.sleep(1.1)  # the merge (and its restore point) come seconds after the migration's version
    merge_url = reverse("platformkit:branches-merge", args=[project_ref, dev])
    operator_client.get(merge_url)
    merged = operator_client.post(merge_url, {"confirm_ref": project_ref})
    assert merged.status_code == 302, merged.content.decode()[-3000:]
    point = RestorePoint.objects.get(target_ref=project_ref, name__startswith="pre-")
    recovery_tasks.wait_for_restore_point(
        Operation.objects.get(kind="restore_points.create", project_ref=project_ref).pk
    )
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")  # after the point, before the merge ends
    time.sleep(1.1)
    assert branch_tasks.follow_action_run(Operation.objects.get(kind="branch.merge").pk) == "succeeded"
    assert version < point.created_at.astimezone(UTC).strftime("%Y%m%d%H%M%S")  # what fooled the old preview

    undo = operator_client.get(
        reverse("platformkit:restore-point-undo", args=[project_ref, RestorePoint.objects.get(pk=point.pk).pk])
    ).content.decode()
    preview = _preview(undo, "restore_points.undo")
    assert f"Migration {version} todos is reverted; table public.todos is dropped" in preview
    assert "No migration was applied since then" not in preview
    assert f"Branch dev merged (migration {version})" in undo

    review = operator_client.post(
        reverse("platformkit:restore-points-pitr", args=[project_ref]), {"recovery_time": when, "step": "review"}
    ).content.decode()
    preview = _preview(review, "restore_points.pitr")
    assert f"Migration {version} todos is reverted; table public.todos is dropped" in preview
