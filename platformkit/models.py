"""platformkit's own tables: encrypted project credentials, long-running operations that
pages poll, the audit trail, and saved SQL snippets."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from platformkit import crypto
from platformkit.core import sections


class ProjectCredential(models.Model):
    """The database password a project was created with, stored only as Fernet ciphertext."""

    project_ref = models.CharField(max_length=64, unique=True)
    db_password_ciphertext = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "project credential"

    def __str__(self) -> str:
        return f"credential for {self.project_ref}"

    @classmethod
    def store(cls, project_ref: str, db_password: str) -> ProjectCredential:
        credential, _ = cls.objects.update_or_create(
            project_ref=project_ref, defaults={"db_password_ciphertext": crypto.encrypt(db_password)}
        )
        return credential

    def reveal_db_password(self) -> str:
        """Decrypt on explicit request only (callers audit it: ``services.reveal_db_password``)."""
        return crypto.decrypt(self.db_password_ciphertext)


class Operation(models.Model):
    """One long-running upstream action that a django-q2 task drives and pages poll."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        TIMED_OUT = "timed_out"

    TERMINAL = frozenset({Status.SUCCEEDED, Status.FAILED, Status.TIMED_OUT})
    # Kinds whose task waits for every service to be healthy (the health wait): their pages
    # say so; every other kind's page says what its own task reported.
    HEALTH_WAITS = frozenset(
        {"project.create", "project.restore", "settings.compute", "restore_points.undo", "restore_points.pitr"}
    )

    kind = models.CharField(max_length=64)  # "project.create", later "branch.create", ...
    project_ref = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # What the task knows so far, e.g. {"services": {"db": {"status": "ACTIVE_HEALTHY"}}}.
    progress = models.JSONField(default=dict, blank=True)
    # The non-secret inputs of the action (name, region, size): shown while upstream catches up.
    params = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    # Secret inputs the task needs (a reviewed config change), Fernet-encrypted; emptied when it ends.
    payload_ciphertext = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)  # task runs so far
    # A task run holds the row until then, so a redelivered copy doesn't poll alongside it.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # The worker process holding the lease ("host:pid"): which one to look at (or kill) when a run stalls.
    lease_holder = models.CharField(max_length=128, blank=True, default="")
    # The django-q2 task that drives the row, recorded by ``operations.enqueue``: a run lost with its
    # worker is started again from it (``core.takeover``). Empty: no task drives it (yet).
    task = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["project_ref", "-created_at"], name="platformkit_op_ref_created")]

    def __str__(self) -> str:
        return f"{self.kind} {self.project_ref} ({self.status})"

    @property
    def title(self) -> str:
        return self.described.title

    @property
    def described(self) -> sections.Described:
        """Title, result message and link to the thing changed (``core.sections.describe``)."""
        return sections.describe(self.kind, self.params, self.project_ref)

    @property
    def production_ref(self) -> str:
        """The project the operation belongs to (a branch's operation: its production project)."""
        return str(self.params.get("project") or self.project_ref)

    @property
    def target_ref(self) -> str:
        """The ref the operation acted on: production's, or a branch's. Sections record it two
        ways — the row on the branch's ref (restore points, recoveries), or the row on production
        with ``params["target"]`` (deploys, configuration) — and both read the same here."""
        return str(self.params.get("target") or self.project_ref)

    @property
    def waits_for_health(self) -> bool:
        return self.kind in self.HEALTH_WAITS

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL

    # progress key of a finished row whose finish hooks have not all run yet (core.operations.finish)
    HOOKS_DUE = "finish_hooks_due"

    @property
    def is_settled(self) -> bool:
        """Finished, and its finish hooks have run too (an undo's report and its "finished" audit
        entry, a recovery waiting for this restore point started): what a page showing the end
        of it waits for."""
        return self.is_terminal and self.HOOKS_DUE not in self.progress

    @property
    def service_statuses(self) -> dict[str, str]:
        return {name: entry.get("status", "") for name, entry in self.progress.get("services", {}).items()}


class AuditEvent(models.Model):
    """Who did what to which project, when, and how it went. Never holds a secret."""

    class Outcome(models.TextChoices):
        SUCCESS = "success"
        FAILURE = "failure"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the user row goes, and for actors that are not users (a task, an embed session).
    actor_label = models.CharField(max_length=255)
    action = models.CharField(max_length=64)  # "project.create", "project.password.reveal", ...
    project_ref = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # The app's permissions live here: there is no "dashboard" model to hang them on.
        permissions = [
            ("use_dashboard", "Can use the platformkit dashboard"),
            ("reveal_credential", "Can reveal a project's stored database password"),
            ("override_merge_checks", "Can merge a branch that a merge check (e.g. the security advisor) blocks"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.project_ref} {self.outcome}"


class SavedQuery(models.Model):
    """A named SQL snippet for one project, kept for an operator (``user``) or, inside an embed,
    for the host's end-user (``embed_subject``, with no user)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    embed_subject = models.CharField(max_length=255, blank=True, default="")
    project_ref = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=200)
    sql = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "saved queries"
        constraints = [
            models.UniqueConstraint(fields=["user", "project_ref", "name"], name="platformkit_savedquery_unique_name"),
            models.UniqueConstraint(
                fields=["embed_subject", "project_ref", "name"],
                condition=models.Q(user__isnull=True),
                name="platformkit_savedquery_unique_embed_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RestorePoint(models.Model):
    """A restore point we asked for. The API has no list of them, so the timeline keeps its own."""

    class Status(models.TextChoices):  # V1RestorePointResponse.status
        PENDING = "PENDING"
        AVAILABLE = "AVAILABLE"
        REMOVED = "REMOVED"
        FAILED = "FAILED"

    project_ref = models.CharField(max_length=64, db_index=True)  # production: the unit of access
    target_ref = models.CharField(max_length=64, db_index=True)  # production or a branch's ref
    branch_name = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=20)
    reason = models.CharField(max_length=200, blank=True)  # "by hand", "after migration ...", ...
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    completed_on = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["target_ref", "name"], name="platformkit_restorepoint_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.target_ref}, {self.status})"


class QueryRun(models.Model):
    """One statement run from the SQL editor: history per project (and branch), of an operator
    (``user``) or of an embed's end-user (``embed_subject``, with no user)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    embed_subject = models.CharField(max_length=255, blank=True, default="")
    project_ref = models.CharField(max_length=64, db_index=True)  # production: the unit of access
    target_ref = models.CharField(max_length=64)  # where it ran (production or a branch)
    sql = models.TextField()
    read_only = models.BooleanField(default=True)
    succeeded = models.BooleanField(default=True)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "project_ref", "-created_at"], name="platformkit_queryrun_recent"),
            models.Index(fields=["embed_subject", "project_ref", "-created_at"], name="platformkit_queryrun_embed"),
        ]

    def __str__(self) -> str:
        return self.sql[:60]


class EmbedGrant(models.Model):
    """A one-time embed link a host minted for one end-user and one project. Only the hash of
    its secret is stored; exchanging it (once, before ``expires_at``) opens an EmbedSession."""

    secret_hash = models.CharField(max_length=64, unique=True)
    project_ref = models.CharField(max_length=64, db_index=True)
    subject = models.CharField(max_length=255)  # the host's id for its end-user (audit trail)
    permissions = models.JSONField(default=dict)
    theme = models.JSONField(default=dict, blank=True)
    origin = models.CharField(max_length=255)  # the host page's origin: frame-ancestors, postMessage
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"grant {self.pk} for {self.subject} on {self.project_ref}"


class EmbedSession(models.Model):
    """What an exchanged grant becomes: the iframe's identity, scoped to one project."""

    key_hash = models.CharField(max_length=64, unique=True)
    grant = models.OneToOneField(EmbedGrant, on_delete=models.CASCADE, related_name="session")
    project_ref = models.CharField(max_length=64, db_index=True)
    subject = models.CharField(max_length=255, db_index=True)
    permissions = models.JSONField(default=dict)
    theme = models.JSONField(default=dict, blank=True)
    origin = models.CharField(max_length=255)
    csrf_secret = models.CharField(max_length=32)  # the session's own CSRF secret (Django's format)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"embed session {self.pk} for {self.subject} on {self.project_ref}"


class AdvisorScan(models.Model):
    """One run of both advisors on a project or one of its branches, kept so pages (the
    projects list's badges, the advisors report) read our database, not the API."""

    project_ref = models.CharField(max_length=64, db_index=True)  # production's ref
    target_ref = models.CharField(max_length=64)  # the ref scanned: production or a branch
    trigger = models.CharField(max_length=16, default="manual")  # schedule | manual | merge
    ran_at = models.DateTimeField(auto_now_add=True)
    findings = models.JSONField(default=list)  # the lints as the API answered them
    error = models.TextField(blank=True)  # why the scan failed, if it did
    # ERROR findings whose cache_key the previous scan of this target did not have.
    new_error_keys = models.JSONField(default=list)

    class Meta:
        ordering = ["-ran_at", "-pk"]
        indexes = [models.Index(fields=["target_ref", "-ran_at"], name="platformkit_scan_target_ran")]

    def counts(self, dismissed: set[str] = frozenset()) -> dict[str, int]:  # type: ignore[assignment]
        counts = {"ERROR": 0, "WARN": 0, "INFO": 0}
        for lint in self.findings:
            if lint.get("cache_key") not in dismissed and lint.get("level") in counts:
                counts[lint["level"]] += 1
        return counts


class DismissedFinding(models.Model):
    """A finding an operator accepted for a project, with the reason; undone by ``restored_at``."""

    project_ref = models.CharField(max_length=64, db_index=True)
    cache_key = models.CharField(max_length=512)
    reason = models.TextField()
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_by_label = models.CharField(max_length=255)
    dismissed_at = models.DateTimeField(auto_now_add=True)
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-dismissed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project_ref", "cache_key"],
                condition=models.Q(restored_at__isnull=True),
                name="platformkit_one_active_dismissal",
            )
        ]
