"""The restore points section's forms: each rule accepted and refused, with the message shown."""

from __future__ import annotations

from datetime import UTC, datetime

from platformkit.core.targets import Target
from platformkit.models import RestorePoint
from platformkit.sections.restore_points.forms import (
    TIME_REQUIRED_ERROR,
    PitrForm,
    RestorePointForm,
    UndoForm,
    parse_utc,
)

WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, 12, 0, 0, tzinfo=UTC))


def test_a_restore_point_name_is_stripped_and_at_most_20_characters() -> None:
    form = RestorePointForm({"name": "  before-upgrade "})
    assert form.is_valid() and form.cleaned_data["name"] == "before-upgrade"
    empty = RestorePointForm({"name": "   "})
    assert not empty.is_valid() and empty.error("name") == "Give the restore point a name."
    long = RestorePointForm({"name": "x" * 21})
    assert not long.is_valid()
    assert long.error("name") == "A restore point's name is at most 20 characters (21 given)."
    assert long.submitted("name") == "x" * 21


def test_undo_needs_the_points_name_typed_on_a_branch() -> None:
    point = RestorePoint(name="before")
    branch = Target("prodprodprodprodprod", "branchbranchbranchbr", "dev")
    assert UndoForm({"confirm_name": " before "}, point=point, target=branch).is_valid()
    refused = UndoForm({"confirm_name": "after"}, point=point, target=branch)
    assert not refused.is_valid()
    assert refused.refusal == "Type the restore point's name, before, to confirm."
    assert refused.submitted("confirm_name") == "after"


def test_undo_on_production_needs_the_ref_typed() -> None:
    point = RestorePoint(name="before")
    production = Target("prodprodprodprodprod", "prodprodprodprodprod")
    refused = UndoForm({"confirm_name": "before"}, point=point, target=production)  # the name is not enough
    assert not refused.is_valid() and refused.refusal == (
        "This restores production to an earlier state. Type the project ref prodprodprodprodprod to confirm,"
        " or switch to a branch."
    )
    assert UndoForm({"confirm_ref": "prodprodprodprodprod"}, point=point, target=production).is_valid()


def test_times_are_read_as_utc_with_or_without_seconds() -> None:
    assert parse_utc(" 2026-01-02T03:04:05 ") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_utc("2026-01-02T03:04") == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    assert parse_utc("yesterday") is None and parse_utc("") is None


def test_pitr_review_step_needs_a_time_in_the_window() -> None:
    form = PitrForm({"recovery_time": "2026-01-02T10:00", "step": "review"}, project_ref="prod", window=WINDOW)
    assert form.is_valid()
    assert form.cleaned_data["recovery_time"] == datetime(2026, 1, 2, 10, tzinfo=UTC)
    assert form.cleaned_data["confirm"] is False
    missing = PitrForm({"step": "review"}, project_ref="prod", window=WINDOW)
    assert not missing.is_valid() and missing.error("recovery_time") == TIME_REQUIRED_ERROR
    late = PitrForm({"recovery_time": "2026-01-02T12:00:01"}, project_ref="prod", window=WINDOW)
    assert not late.is_valid()
    assert late.error("recovery_time") == "Pick a time between 2026-01-01 00:00:00 and 2026-01-02 12:00:00 UTC."


def test_pitr_confirm_step_needs_the_box_ticked_and_the_ref_typed() -> None:
    base = {"recovery_time": "2026-01-02T10:00", "step": "confirm"}
    refusal = "Tick the box and type the project ref, prod, to confirm the data loss."
    for extra in ({}, {"understood": "yes"}, {"confirm_ref": "prod"}, {"understood": "on", "confirm_ref": "prod"}):
        form = PitrForm({**base, **extra}, project_ref="prod", window=WINDOW)
        assert not form.is_valid() and form.error("confirm_ref") == refusal
        assert form.error("recovery_time") is None and form.cleaned_data["confirm"] is True
    ok = PitrForm({**base, "understood": "yes", "confirm_ref": " prod "}, project_ref="prod", window=WINDOW)
    assert ok.is_valid() and ok.cleaned_data["confirm"] is True
