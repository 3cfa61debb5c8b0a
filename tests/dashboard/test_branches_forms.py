"""The branches section's forms: each rule accepted and refused, with the message shown."""

from __future__ import annotations

from platformkit.api.types import Branch
from platformkit.core.hooks import CheckResult, MergeReview
from platformkit.sections.branches.forms import (
    DATA_ACK_ERROR,
    NAME_ERROR,
    OVERRIDE_FORBIDDEN_ERROR,
    REASON_REQUIRED_ERROR,
    BranchConfirmForm,
    BranchCreateForm,
    BranchDeleteForm,
    MergeForm,
)

DEV = Branch(id="b1", name="dev", project_ref="devref")


def test_create_accepts_a_name_secrets_and_acknowledged_data() -> None:
    form = BranchCreateForm(
        {"name": "  feat/x-1.2 ", "secrets": "A=1\n\n  B_2=x=y \n", "with_data": "on", "with_data_ack": "on"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "feat/x-1.2"
    assert form.cleaned_data["secrets"] == {"A": "1", "B_2": "x=y"}
    assert form.cleaned_data["with_data"] is True and form.cleaned_data["persistent"] is False


def test_create_refuses_bad_names() -> None:
    for name in ("", "main", "-dev", "a b", "x" * 101):
        form = BranchCreateForm({"name": name})
        assert not form.is_valid()
        assert form.problems() == [NAME_ERROR]


def test_create_refuses_secret_lines_that_are_not_name_value() -> None:
    form = BranchCreateForm({"name": "dev", "secrets": "A=1\nnot a secret\n1X=2"})
    assert not form.is_valid()
    assert form.problems() == ["Secrets: write one NAME=value per line (line 2, line 3 is not)."]


def test_create_refuses_data_without_the_acknowledgement_and_lists_every_problem_in_order() -> None:
    form = BranchCreateForm({"name": "main", "secrets": "oops", "with_data": "on", "persistent": "on"})
    assert not form.is_valid()
    assert form.problems() == [NAME_ERROR, "Secrets: write one NAME=value per line (line 1 is not).", DATA_ACK_ERROR]
    assert form.shown() == {"name": "main", "secrets": "oops", "with_data": True, "persistent": True}


def test_a_checkbox_counts_only_when_ticked() -> None:
    form = BranchCreateForm({"name": "dev", "with_data": "yes"})
    assert form.is_valid() and form.cleaned_data["with_data"] is False


def _review(*checks: CheckResult) -> MergeReview:
    return MergeReview(project_ref="prod", branch=DEV, diff="", to_apply=[], production_only=[], checks=list(checks))


def test_merge_passes_an_unblocked_review_without_a_reason() -> None:
    form = MergeForm({"confirm_ref": "prod"}, review=_review(CheckResult("c", "fine")), may_override=False)
    assert form.is_valid() and form.cleaned_data["override_reason"] == ""


def test_merge_needs_productions_ref_typed() -> None:
    untyped = MergeForm({"confirm_ref": "dev"}, review=_review(), may_override=False)
    assert not untyped.is_valid() and not untyped.forbidden
    assert untyped.error == "This merges the branch into production. Type the project ref prod to confirm."


def test_merge_of_a_blocked_review_needs_the_permission_then_a_reason() -> None:
    blocked = _review(CheckResult("gate", "no", blocking=True))
    forbidden = MergeForm({"override_reason": "because"}, review=blocked, may_override=False)
    assert not forbidden.is_valid() and forbidden.forbidden and forbidden.error == OVERRIDE_FORBIDDEN_ERROR
    no_reason = MergeForm({"override_reason": "   "}, review=blocked, may_override=True)
    assert not no_reason.is_valid() and not no_reason.forbidden and no_reason.error == REASON_REQUIRED_ERROR
    ok = MergeForm({"override_reason": " known issue ", "confirm_ref": "prod"}, review=blocked, may_override=True)
    assert ok.is_valid() and ok.cleaned_data["override_reason"] == "known issue"


def test_reset_and_delete_need_the_branch_name_typed() -> None:
    assert BranchConfirmForm({"confirm_name": " dev "}, branch=DEV, verb="reset").is_valid()
    refused = BranchConfirmForm({"confirm_name": "Dev"}, branch=DEV, verb="reset")
    assert not refused.is_valid() and refused.error == "Type the branch name 'dev' to reset it."
    refused = BranchDeleteForm({}, branch=DEV, verb="delete")
    assert not refused.is_valid() and refused.error == "Type the branch name 'dev' to delete it."


def test_delete_is_scheduled_unless_now_is_chosen() -> None:
    now = BranchDeleteForm({"confirm_name": "dev", "when": "now"}, branch=DEV, verb="delete")
    assert now.is_valid() and now.cleaned_data["when"] is True
    later = BranchDeleteForm({"confirm_name": "dev", "when": "scheduled"}, branch=DEV, verb="delete")
    assert later.is_valid() and later.cleaned_data["when"] is False
