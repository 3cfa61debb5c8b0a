"""The Audit trail section: every audited action (``AuditEvent``, written through
``core.audit``: reveals, merges, overrides, restores, deletes, config changes, embed sessions)
with filters by actor, action, project, outcome and time, newest first in keyset pages, and a
streamed CSV export of what the filters select. Per project in the project's navigation
(``projects/<ref>/audit/``) and across every project the operator sees (``audit/``). An embed
session sees its own project's trail only, and only when granted ``audit`` (``read`` is
enough: the trail has no actions); the cross-project page is never embedded."""

from platformkit.core.sections import Section

SECTION = Section(key="audit", label="Audit trail", url_name="platformkit:audit")
