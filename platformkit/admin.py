"""Admin: operations and credentials to look at, the audit trail strictly read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent, Operation, ProjectCredential, SavedQuery


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
