"""Advisors in the dashboard: the report, fixes prefilled in the SQL editor, dismissals,
scheduled scans feeding the projects list without API calls, and the merge gate."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from platformkit.models import AdvisorScan, AuditEvent, DismissedFinding
from platformkit.sections.advisors import services as advisors
from platformkit.sections.advisors import tasks as advisor_tasks
from tests.dashboard.conftest import assert_valid_html
from tests.dashboard.test_branches_migrations import _create_branch, project_ref  # noqa: F401 (fixture)
from tests.dashboard.test_lifecycle import healthy


@pytest.fixture
def linted(make_project: Any, upstream: Any) -> str:
    project = make_project("Linted")
    healthy(upstream, project.ref)
    upstream.database.query(
        project.ref,
        "create table public.open_notes (id int primary key, body text);"
        " create table public.nokey (v text); alter table public.nokey enable row level security;"
        " create policy p on public.nokey for select using (true)",
    )
    return project.ref


def test_report_groups_by_level_and_offers_the_fix(operator_client: Client, linted: str) -> None:
    page = operator_client.get(reverse("platformkit:advisors", args=[linted]))
    assert page.status_code == 200
    assert_valid_html(page.content)
    text = page.content.decode()
    assert 'data-finding="rls_disabled_in_public_public_open_notes"' in text
    assert "Table <code>public.open_notes</code> is public, but RLS has not been enabled." in text
    assert 'href="https://supabase.com/docs/guides/database/database-linter?lint=0013_rls_disabled_in_public"' in text
    error_section = text.split('data-level="ERROR"')[1].split("</section>")[0]
    assert "open_notes" in error_section and "1 finding" in error_section
    link = next(part.split('"')[0] for part in text.split('href="') if "data-fix-link" in part.split(">")[0])
    prefilled = operator_client.get(link.replace("&amp;", "&"))
    assert "alter table public.open_notes enable row level security;" in prefilled.content.decode()
    performance = operator_client.get(
        reverse("platformkit:advisors", args=[linted]) + "?tab=performance"
    ).content.decode()
    assert 'data-finding="no_primary_key_public_nokey"' in performance and "open_notes" not in performance
    only_info = operator_client.get(
        reverse("platformkit:advisors", args=[linted]) + "?tab=security&level=INFO"
    ).content.decode()
    assert 'data-level="ERROR"' not in only_info


def test_lint_text_is_escaped(operator_client: Client, make_project: Any, upstream: Any) -> None:
    project = make_project("Escaped")
    healthy(upstream, project.ref)
    upstream.database.query(project.ref, 'create table public."<script>alert(1)</script>" (id int primary key)')
    text = operator_client.get(reverse("platformkit:advisors", args=[project.ref])).content.decode()
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'data-finding="rls_disabled_in_public_public_&lt;script&gt;' in text
    assert (
        "Open the fix" not in text.split("&lt;script&gt;alert(1)")[1].split("</details>")[0]
    )  # no one-click SQL for odd names


def may_override(user: Any) -> None:
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="override_merge_checks"))


def test_dismiss_with_reason_then_restore(operator_client: Client, operator: Any, linted: str) -> None:
    url = reverse("platformkit:advisors", args=[linted])
    operator_client.get(url)  # the first visit scans
    key = "rls_disabled_in_public_public_open_notes"
    dismiss_url = reverse("platformkit:advisors-dismiss", args=[linted])
    refused = operator_client.post(dismiss_url, {"cache_key": key, "reason": " "})
    assert refused.status_code == 400 and b"Say why" in refused.content
    # An ERROR security finding gates merges: dismissing it is an override, with its permission.
    gated = operator_client.post(dismiss_url, {"cache_key": key, "reason": "public read-only data"})
    assert gated.status_code == 400 and b"override_merge_checks" in gated.content
    invented = operator_client.post(dismiss_url, {"cache_key": "rls_disabled_in_public_public_other", "reason": "x"})
    assert invented.status_code == 400 and b"not in the latest scan" in invented.content
    assert not DismissedFinding.objects.exists()
    may_override(operator)
    operator_client.post(
        reverse("platformkit:advisors-dismiss", args=[linted]), {"cache_key": key, "reason": "public read-only data"}
    )
    page = operator_client.get(url).content.decode()
    assert (
        f'data-dismissed-finding="{key}"' in page
        and "public read-only data" in page
        and f'data-finding="{key}"' not in page
    )
    operator_client.post(reverse("platformkit:advisors-restore", args=[linted]), {"cache_key": key})
    assert f'data-finding="{key}"' in operator_client.get(url).content.decode()
    assert [e.action for e in AuditEvent.objects.order_by("pk")][-2:] == ["advisors.dismiss", "advisors.restore"]


def test_scheduled_scan_feeds_the_projects_list_and_marks_new_errors(
    operator_client: Client, linted: str, upstream: Any
) -> None:
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name=advisor_tasks.SCHEDULE_NAME)
    assert schedule.func == "platformkit.sections.advisors.tasks.scan_all" and schedule.minutes == 60
    assert advisor_tasks.scan_all()["scanned"] >= 1
    first = AdvisorScan.objects.get(target_ref=linted)
    assert first.new_error_keys == []  # nothing to compare the first scan with
    upstream.database.query(linted, "create table public.leaky (id int primary key)")
    advisor_tasks.scan_all()
    second = AdvisorScan.objects.filter(target_ref=linted).first()
    assert second.new_error_keys == ["rls_disabled_in_public_public_leaky"]
    page = operator_client.get(reverse("platformkit:projects")).content.decode()
    row = page.split(f'<code class="pk-muted">{linted}</code>')[1].split("</tr>")[0]
    assert "2 errors" in row and "1 new" in row
    report = operator_client.get(reverse("platformkit:advisors", args=[linted])).content.decode()
    assert 'data-finding="rls_disabled_in_public_public_leaky" data-new' in report
    assert 'data-finding="rls_disabled_in_public_public_open_notes" data-new' not in report


def test_scheduled_scan_covers_healthy_branches(linted: str, upstream: Any) -> None:
    branch = upstream.branches.create(linted, branch_name="dev-scan")
    deadline = time.monotonic() + 60
    while (
        next(b for b in upstream.branches.list(linted) if b.name == "dev-scan").preview_project_status
        != "ACTIVE_HEALTHY"
    ):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    upstream.database.query(branch.project_ref, "create table public.branch_only (id int primary key)")
    counts = advisor_tasks.scan_all()
    assert counts["scanned"] >= 2
    scan = AdvisorScan.objects.get(target_ref=branch.project_ref)
    assert scan.project_ref == linted and scan.trigger == "schedule" and scan.error == ""
    assert "rls_disabled_in_public_public_branch_only" in {finding["cache_key"] for finding in scan.findings}
    assert "rls_disabled_in_public_public_branch_only" not in {
        f["cache_key"] for f in AdvisorScan.objects.get(target_ref=linted).findings
    }


def test_schedule_follows_the_setting(settings: Any, db: None) -> None:
    from django_q.models import Schedule

    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "ADVISOR_SCAN_MINUTES": 15}
    advisor_tasks.ensure_schedule()
    assert Schedule.objects.get(name=advisor_tasks.SCHEDULE_NAME).minutes == 15
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "ADVISOR_SCAN_MINUTES": 0}
    advisor_tasks.ensure_schedule()
    assert not Schedule.objects.filter(name=advisor_tasks.SCHEDULE_NAME).exists()


def test_fix_sql_only_for_plain_names() -> None:
    lint = {"name": "security_definer_view", "metadata": {"schema": "public", "name": "v"}}
    assert advisors.fix_sql(lint) == "alter view public.v set (security_invoker = on);"
    assert advisors.fix_sql({**lint, "metadata": {"schema": "public", "name": "v; drop table x"}}) is None
    assert advisors.fix_sql({"name": "no_primary_key", "metadata": {"schema": "public", "name": "t"}}) is None


def test_security_advisor_gates_the_merge(
    operator_client: Client, project_ref: str, upstream: Any, make_user: Any
) -> None:  # noqa: F811
    dev = _create_branch(operator_client, project_ref, "gated")
    upstream.database.apply_migration(dev, query="create table public.orders (id int primary key)", name="orders")
    url = reverse("platformkit:branches-merge", args=[project_ref, dev])
    review = operator_client.get(url).content.decode()
    assert "blocks</span> <strong>security_advisor</strong>: 1 ERROR finding(s) on the branch" in review
    assert "RLS Disabled in Public: Table `public.orders` is public" in review
    # A merge into production takes the project ref typed (core/destructive.py).
    assert operator_client.post(url, {"override_reason": "later", "confirm_ref": project_ref}).status_code == 403
    assert AdvisorScan.objects.filter(target_ref=dev, trigger="merge").exists()

    lead = Client()
    lead.force_login(make_user("lead", "override_merge_checks", is_staff=True))
    overridden = lead.post(
        url, {"override_reason": "orders are public by design, ticket 7", "confirm_ref": project_ref}
    )
    assert overridden.status_code == 302
    override = AuditEvent.objects.get(action="branches.merge_override")
    assert override.detail["checks"] == ["security_advisor"] and override.actor_label == "lead"


def test_fixed_or_dismissed_findings_let_the_merge_through(
    operator_client: Client, operator: Any, project_ref: str, upstream: Any
) -> None:  # noqa: F811
    may_override(operator)
    dev = _create_branch(operator_client, project_ref, "fixed")
    upstream.database.apply_migration(
        dev,
        query="create table public.items (id int primary key);"
        " create view public.item_ids as select id from public.items",
        name="items",
    )
    url = reverse("platformkit:branches-merge", args=[project_ref, dev])
    assert "2 ERROR finding(s)" in operator_client.get(url).content.decode()
    upstream.database.apply_migration(dev, query="alter table public.items enable row level security", name="items_rls")
    operator_client.post(
        reverse("platformkit:advisors-dismiss", args=[project_ref]) + f"?branch={dev}",
        {"cache_key": "security_definer_view_public_item_ids", "reason": "ids only", "branch": dev},
    )
    review = operator_client.get(url).content.decode()
    assert "no ERROR findings on the branch" in review and "data-override-denied" not in review
    assert operator_client.post(url, {"confirm_ref": project_ref}).status_code == 302


def test_on_a_branch_run_now_and_the_sidebar_stay_on_the_branch(
    operator_client: Client, project_ref: str, upstream: Any
) -> None:
    dev = _create_branch(operator_client, project_ref, "stays")
    upstream.database.apply_migration(dev, query="create table public.loose (id int primary key)", name="loose")
    report = reverse("platformkit:advisors", args=[project_ref])
    page = operator_client.get(f"{report}?branch={dev}").content.decode()
    # Every project section's sidebar link keeps the branch (it used to open production's).
    for name in ("sql", "migrations", "functions", "restore-points", "logs"):
        assert f'href="{reverse(f"platformkit:{name}", args=[project_ref])}?branch={dev}"' in page, name
    response = operator_client.post(
        reverse("platformkit:advisors-run", args=[project_ref]) + f"?branch={dev}", {"tab": "security"}
    )
    assert response.status_code == 302 and response["Location"] == f"{report}?tab=security&branch={dev}"
    landed = operator_client.get(response["Location"]).content.decode()
    assert "branch stays" in landed and "public.loose" in landed
    production = operator_client.get(report).content.decode()
    assert 'href="' + reverse("platformkit:sql", args=[project_ref]) + '"' in production
