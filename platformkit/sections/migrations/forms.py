"""Forms of the migrations section: apply a migration (on production only with the project ref
typed), roll back the latest (a ticked box, and the ref typed on production), run seed data (on production
only with the ref typed). Each carries the texts the page shows next to it."""

from __future__ import annotations

from typing import Any

from django import forms

from platformkit.core.destructive import TypedRef
from platformkit.core.idempotency import is_key
from platformkit.core.targets import Target


def messages(form: forms.Form) -> list[str]:
    """Every error of ``form`` as the page lists them: field errors in field order, then the rest."""
    return [str(message) for errors in form.errors.values() for message in errors]


class _OnProduction(forms.Form):
    """On production, the project ref typed into ``confirm_production`` (``doing`` says what
    the change does there); a branch needs nothing typed."""

    confirm_production = forms.CharField(required=False, strip=False)
    doing = "changes production"

    def __init__(self, *args: Any, project_ref: str, production: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project_ref, self.production = project_ref, production

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and self.production and cleaned.get("confirm_production") != self.project_ref:
            self.add_error(
                "confirm_production",
                f"This {self.doing} directly. Type the project ref {self.project_ref} to confirm,"
                " or switch to a branch.",
            )
        return cleaned


class ApplyMigrationForm(_OnProduction):
    doing = "applies to production"
    # Kept as typed (the page shows them again; the service strips the name).
    name = forms.CharField(required=False, strip=False)
    sql = forms.CharField(required=False, strip=False)
    rollback = forms.CharField(required=False, strip=False)
    # The rendered form's key (``core.idempotency``'s one field), sent on as the API's
    # Idempotency-Key: the same form submitted twice is applied once.
    idempotency_key = forms.CharField(required=False, strip=False)

    def clean_sql(self) -> str:
        sql: str = self.cleaned_data["sql"]
        if not sql.strip():
            raise forms.ValidationError("Write the migration's SQL.")
        return sql

    def clean_idempotency_key(self) -> str | None:
        """A key not shaped as ``core.idempotency`` makes them is no key (applied without one)."""
        key: str = self.cleaned_data["idempotency_key"]
        return key if is_key(key) else None

    def typed(self) -> dict[str, str]:
        """``name``, ``sql`` and ``rollback`` as submitted, for the page to show them again."""
        return {key: str(self[key].value() or "") for key in ("name", "sql", "rollback")}


class RollbackForm(TypedRef):
    """The box ticked; on production also the project ref typed (``core.destructive``'s rule:
    a rollback is usually a DROP)."""

    version = forms.CharField(required=False, strip=False)
    confirm = forms.CharField(required=False, strip=False)

    def clean_confirm(self) -> str:
        confirm: str = self.cleaned_data["confirm"]
        if confirm != "yes":
            raise forms.ValidationError("Tick the box to confirm the rollback.")
        return confirm


class SeedForm(TypedRef):
    """The inserts to run; on production also the project ref typed (``core.destructive``'s rule)."""

    sql = forms.CharField(required=False, strip=False)

    def __init__(self, *args: Any, target: Target, **kwargs: Any) -> None:
        super().__init__(*args, action="migrations.seed", target=target, **kwargs)

    def clean_sql(self) -> str:
        sql: str = self.cleaned_data["sql"]
        if not sql.strip():
            raise forms.ValidationError("Write the inserts to run.")
        return sql

    def typed(self) -> dict[str, str]:
        return {"sql": str(self["sql"].value() or "")}
