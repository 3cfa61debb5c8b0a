"""Advisor scans: run both advisors on a project or branch, keep the result (so the projects
list and the report read our database), spot ERROR findings that are new since the last scan
(by their stable ``cache_key``), dismiss findings with a reason, suggest the mechanical fix, and
gate merges on the branch's security findings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.utils import timezone

from platformkit.api import errors
from platformkit.core.audit import actor_label, audit
from platformkit.core.client import get_client
from platformkit.core.hooks import CheckResult, MergeReview
from platformkit.models import AdvisorScan, DismissedFinding

LEVELS = ("ERROR", "WARN", "INFO")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


def scan(project_ref: str, target_ref: str, *, trigger: str) -> AdvisorScan:
    """Run both advisors now (in parallel) and store what they found, or why they could not."""
    client = get_client(cached=False)
    security, performance = client.parallel(
        lambda: client.advisors.security(target_ref), lambda: client.advisors.performance(target_ref)
    )
    failed = next((result.error for result in (security, performance) if result.error is not None), None)
    previous = last_successful(target_ref)
    if failed is not None:
        return AdvisorScan.objects.create(
            project_ref=project_ref,
            target_ref=target_ref,
            trigger=trigger,
            error=str(failed),
            findings=previous.findings if previous else [],
        )
    findings = [lint.raw for lint in (*(security.value or []), *(performance.value or []))]
    errors_now = {lint["cache_key"] for lint in findings if lint["level"] == "ERROR"}
    before = {lint["cache_key"] for lint in previous.findings if lint["level"] == "ERROR"} if previous else errors_now
    return AdvisorScan.objects.create(
        project_ref=project_ref,
        target_ref=target_ref,
        trigger=trigger,
        findings=findings,
        new_error_keys=sorted(errors_now - before),
    )


def latest(target_ref: str) -> AdvisorScan | None:
    return AdvisorScan.objects.filter(target_ref=target_ref).first()


def last_successful(target_ref: str) -> AdvisorScan | None:
    """The newest scan whose advisors answered: what the report's findings come from."""
    return AdvisorScan.objects.filter(target_ref=target_ref, error="").first()


def dismissed_keys(project_ref: str) -> set[str]:
    return set(
        DismissedFinding.objects.filter(project_ref=project_ref, restored_at__isnull=True).values_list(
            "cache_key", flat=True
        )
    )


@dataclass(frozen=True)
class Badge:
    errors: int
    warnings: int
    new_errors: int
    ran_at: Any
    failed: bool


def badges(project_refs: list[str]) -> dict[str, Badge]:
    """The latest scan of each project's production, for the projects list: two queries, no API call."""
    newest = (
        AdvisorScan.objects.filter(project_ref__in=project_refs, target_ref__in=project_refs)
        .values("target_ref")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    dismissed: dict[str, set[str]] = {}
    for row in DismissedFinding.objects.filter(project_ref__in=project_refs, restored_at__isnull=True).values(
        "project_ref", "cache_key"
    ):
        dismissed.setdefault(row["project_ref"], set()).add(row["cache_key"])
    out = {}
    for found in AdvisorScan.objects.filter(pk__in=list(newest)):
        hidden = dismissed.get(found.project_ref, set())
        counts = found.counts(hidden)
        out[found.target_ref] = Badge(
            counts["ERROR"], counts["WARN"], len(set(found.new_error_keys) - hidden), found.ran_at, bool(found.error)
        )
    return out


# The report


@dataclass
class Finding:
    lint: dict[str, Any]
    new: bool
    dismissal: DismissedFinding | None
    fix: str | None

    @property
    def affected(self) -> str:
        meta = self.lint.get("metadata") or {}
        name = ".".join(part for part in (meta.get("schema"), meta.get("name")) if part)
        return f"{meta.get('type', '')} {name}".strip() if name else str(meta.get("entity") or "")


@dataclass
class Report:
    scan: AdvisorScan | None
    tab: str
    level: str
    query: str
    groups: list[tuple[str, list[Finding]]]
    tab_counts: dict[str, int]
    dismissed: list[Finding]


def report(project_ref: str, found: AdvisorScan | None, *, tab: str, level: str = "", query: str = "") -> Report:
    tab = tab if tab in ("security", "performance") else "security"
    category = tab.upper()
    active = {
        d.cache_key: d for d in DismissedFinding.objects.filter(project_ref=project_ref, restored_at__isnull=True)
    }
    new = set(found.new_error_keys) if found else set()
    findings = [
        Finding(lint, lint["cache_key"] in new, active.get(lint["cache_key"]), fix_sql(lint))
        for lint in (found.findings if found else [])
    ]
    tab_counts = {
        name: sum(1 for f in findings if name.upper() in f.lint["categories"] and f.dismissal is None)
        for name in ("security", "performance")
    }
    shown = [f for f in findings if category in f.lint["categories"]]
    needle = query.strip().lower()
    if needle:
        shown = [
            f
            for f in shown
            if needle in " ".join(str(f.lint.get(k, "")) for k in ("name", "title", "detail", "cache_key")).lower()
        ]
    groups = [
        (name, [f for f in shown if f.lint["level"] == name and f.dismissal is None])
        for name in LEVELS
        if not level or level == name
    ]
    return Report(found, tab, level, query, groups, tab_counts, [f for f in shown if f.dismissal is not None])


def _qualified(meta: dict[str, Any]) -> str | None:
    schema, name = meta.get("schema"), meta.get("name")
    if not (isinstance(schema, str) and isinstance(name, str) and IDENT.match(schema) and IDENT.match(name)):
        return None  # anything needing quoting gets no one-click SQL: the operator writes it
    return f"{schema}.{name}"


def fix_sql(lint: dict[str, Any]) -> str | None:
    """The SQL that fixes a finding mechanically, for the editor to show (never run unreviewed)."""
    meta = lint.get("metadata") or {}
    target = _qualified(meta)
    if target is None:
        return None
    name = lint.get("name")
    if name in ("rls_disabled_in_public", "policy_exists_rls_disabled"):
        return f"alter table {target} enable row level security;\n-- then add policies for who may read and write it"
    if name == "security_definer_view":
        return f"alter view {target} set (security_invoker = on);"
    if name == "function_search_path_mutable":
        return f"alter function {target} set search_path = '';"
    if name == "extension_in_public":
        return f"drop extension {meta['name']};\ncreate extension {meta['name']} schema extensions;"
    if name == "duplicate_index" and all(isinstance(i, str) and IDENT.match(i) for i in meta.get("indexes", [])[1:]):
        return "\n".join(f"drop index {meta['schema']}.{index};" for index in meta.get("indexes", [])[1:])
    return None


# Dismissal


REASON_REQUIRED = "Say why this finding is acceptable; the reason is kept in the audit trail."


class DismissError(Exception):
    pass


def dismiss(
    user: Any, project_ref: str, cache_key: str, reason: str, *, target_ref: str, may_waive_merge_gate: bool
) -> None:
    """Dismiss a finding of the latest scan of ``target_ref`` (production or one of its branches).

    A dismissed ERROR security finding no longer blocks merges, so dismissing one takes the
    same permission as overriding the merge gate."""
    reason = reason.strip()
    if not reason:
        raise DismissError(REASON_REQUIRED)
    scanned = last_successful(target_ref)
    finding = next((lint for lint in (scanned.findings if scanned else []) if lint.get("cache_key") == cache_key), None)
    if finding is None:
        raise DismissError(
            "That finding is not in the latest scan: run the advisors again and dismiss it from the report."
        )
    if finding.get("level") == "ERROR" and "SECURITY" in finding.get("categories", []) and not may_waive_merge_gate:
        raise DismissError(
            "A dismissed ERROR security finding no longer blocks merges, so dismissing it takes the "
            "override_merge_checks permission: fix it, or ask someone who has it."
        )
    if DismissedFinding.objects.filter(project_ref=project_ref, cache_key=cache_key, restored_at__isnull=True).exists():
        raise DismissError("This finding is already dismissed.")
    DismissedFinding.objects.create(
        project_ref=project_ref,
        cache_key=cache_key,
        reason=reason[:2000],
        dismissed_by=user if getattr(user, "is_authenticated", False) else None,
        dismissed_by_label=actor_label(user),
    )
    audit(user, "advisors.dismiss", project_ref=project_ref, detail={"cache_key": cache_key, "reason": reason[:500]})


def restore(user: Any, project_ref: str, cache_key: str) -> None:
    changed = DismissedFinding.objects.filter(
        project_ref=project_ref, cache_key=cache_key, restored_at__isnull=True
    ).update(restored_at=timezone.now())
    if not changed:
        raise DismissError("This finding is not dismissed.")
    audit(user, "advisors.restore", project_ref=project_ref, detail={"cache_key": cache_key})


# The merge gate (declared in this section's ``Section.merge_checks``)


def security_gate(review: MergeReview) -> CheckResult | None:
    """Blocks a merge while the branch has ERROR security findings (dismissed ones excepted)."""
    try:
        found = scan(review.project_ref, review.branch.project_ref, trigger="merge")
    except errors.APIError as exc:  # a gate that cannot look must not wave the merge through
        return CheckResult(
            "security_advisor", f"The security advisor could not run on the branch: {exc}", blocking=True
        )
    if found.error:
        return CheckResult(
            "security_advisor", f"The security advisor could not run on the branch: {found.error}", blocking=True
        )
    hidden = dismissed_keys(review.project_ref)
    blocking = [
        lint
        for lint in found.findings
        if lint["level"] == "ERROR" and "SECURITY" in lint["categories"] and lint["cache_key"] not in hidden
    ]
    if not blocking:
        return CheckResult("security_advisor", "The security advisor found no ERROR findings on the branch.")
    listed = "; ".join(f"{lint['title']}: {lint['detail']}" for lint in blocking[:5])
    more = f" (and {len(blocking) - 5} more)" if len(blocking) > 5 else ""
    return CheckResult(
        "security_advisor", f"{len(blocking)} ERROR finding(s) on the branch — {listed}{more}", blocking=True
    )
