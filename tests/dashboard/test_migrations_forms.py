"""The migrations section's forms on their own: each rule accepted and refused, with its message."""

from __future__ import annotations

from platformkit.core.targets import Target
from platformkit.sections.migrations.forms import ApplyMigrationForm, RollbackForm, SeedForm, messages

REF = "abcdefghijklmnopqrst"
KEY = "dhNMWg3kQx2b8fYp0aZ1sT4u"  # shaped as core.idempotency makes them


def apply_form(production: bool = False, **data: str) -> ApplyMigrationForm:
    form = ApplyMigrationForm(data, project_ref=REF, production=production)
    form.is_valid()
    return form


def test_a_migration_needs_sql() -> None:
    form = apply_form(name="x", sql="  ")
    assert not form.is_valid() and messages(form) == ["Write the migration's SQL."]
    form = apply_form(name=" todos ", sql="create table t ()", rollback="drop table t")
    assert form.is_valid()
    assert (form.cleaned_data["name"], form.cleaned_data["rollback"]) == (" todos ", "drop table t")  # as typed


def test_production_needs_the_project_ref_typed() -> None:
    refused = apply_form(production=True, sql="create table t ()", confirm_production="yes")
    assert not refused.is_valid()
    assert messages(refused) == [
        f"This applies to production directly. Type the project ref {REF} to confirm, or switch to a branch."
    ]
    assert apply_form(production=True, sql="create table t ()", confirm_production=REF).is_valid()
    assert apply_form(production=False, sql="create table t ()").is_valid()  # a branch needs no ref


def test_missing_sql_is_the_only_error_shown_on_production() -> None:
    assert messages(apply_form(production=True, sql="")) == ["Write the migration's SQL."]


def test_idempotency_key_is_the_forms_one_key_or_none() -> None:
    assert apply_form(sql="select 1", idempotency_key=KEY).cleaned_data["idempotency_key"] == KEY
    assert apply_form(sql="select 1", idempotency_key="not a key!").cleaned_data["idempotency_key"] is None
    assert apply_form(sql="select 1").cleaned_data["idempotency_key"] is None


def test_typed_values_come_back_for_the_form() -> None:
    form = apply_form(name=" n ", sql="")
    assert form.typed() == {"name": " n ", "sql": "", "rollback": ""}


def test_rollback_needs_the_box_ticked() -> None:
    on_branch = {
        "action": "migrations.rollback",
        "target": Target("abcdefghijklmnopqrst", "branchrefxxxxxxxxxxx", "dev"),
    }
    refused = RollbackForm({"version": "20240101000000"}, **on_branch)
    assert not refused.is_valid() and messages(refused) == ["Tick the box to confirm the rollback."]
    assert not RollbackForm({"version": "1", "confirm": "on"}, **on_branch).is_valid()
    ticked = RollbackForm({"version": "20240101000000", "confirm": "yes"}, **on_branch)
    assert ticked.is_valid() and ticked.cleaned_data["version"] == "20240101000000"


def test_rollback_on_production_needs_the_ref_typed() -> None:
    production = {"action": "migrations.rollback", "target": Target("abcdefghijklmnopqrst", "abcdefghijklmnopqrst")}
    untyped = RollbackForm({"version": "1", "confirm": "yes"}, **production)
    assert not untyped.is_valid() and messages(untyped) == [
        "This rolls production back. Type the project ref abcdefghijklmnopqrst to confirm, or switch to a branch."
    ]
    typed = {"version": "1", "confirm": "yes", "confirm_ref": "abcdefghijklmnopqrst"}
    assert RollbackForm(typed, **production).is_valid()


def test_seed_needs_sql_and_on_production_the_ref_typed() -> None:
    branch = Target(REF, "branchrefxxxxxxxxxxx", "dev")
    production = Target(REF, REF)
    empty = SeedForm({"sql": " "}, target=branch)
    assert not empty.is_valid() and messages(empty) == ["Write the inserts to run."]
    assert SeedForm({"sql": "insert into t values (1)"}, target=branch).is_valid()
    # The old phrase is no confirmation any more: the ref is, as for every destructive action.
    refused = SeedForm({"sql": "insert into t values (1)", "confirm_ref": "seed production"}, target=production)
    assert not refused.is_valid()
    assert messages(refused) == [
        f"This inserts seed data into production. Type the project ref {REF} to confirm, or switch to a branch."
    ]
    assert refused.typed() == {"sql": "insert into t values (1)"} and refused.typed_ref == "seed production"
    assert SeedForm({"sql": "insert into t values (1)", "confirm_ref": f" {REF} "}, target=production).is_valid()
    assert messages(SeedForm({"sql": ""}, target=production)) == ["Write the inserts to run."]
