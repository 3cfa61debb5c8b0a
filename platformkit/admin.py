"""Admin: operations and credentials to look at, the audit trail strictly read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from platformkit.models import AuditEvent, EmbedSession, Operation, ProjectCredential, SavedQuery


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_label", "action", "project_ref", "outcome"]
    list_filter = ["outcome", "action"]
    search_fields = ["actor_label", "project_ref", "action"]
    date_hierarchy = "created_at"


@admin.register(Operation)
class OperationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "project_ref", "status", "attempts", "updated_at"]
    list_filter = ["status", "kind"]
    search_fields = ["project_ref"]


@admin.register(ProjectCredential)
class ProjectCredentialAdmin(ReadOnlyAdmin):
    # The ciphertext is not shown either: revealing goes through the audited dashboard action.
    list_display = ["project_ref", "created_at", "updated_at"]
    fields = ["project_ref", "created_at", "updated_at"]
    search_fields = ["project_ref"]


@admin.register(SavedQuery)
class SavedQueryAdmin(admin.ModelAdmin):
    list_display = ["name", "project_ref", "user", "created_at"]
    search_fields = ["name", "project_ref"]


@admin.register(EmbedSession)
class EmbedSessionAdmin(admin.ModelAdmin):
    list_display = ["subject", "project_ref", "origin", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["subject", "project_ref"]
    readonly_fields = [field.name for field in EmbedSession._meta.fields]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected embed sessions now")
    def revoke(self, request: Any, queryset: Any) -> None:
        from django.utils import timezone

        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
