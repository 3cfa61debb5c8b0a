"""The advisors section's forms: the dismissal reason, and the way back to the same report."""

from __future__ import annotations

from platformkit.sections.advisors.forms import BackForm, DismissForm, RestoreForm
from platformkit.sections.advisors.services import REASON_REQUIRED


def test_dismiss_needs_a_reason() -> None:
    form = DismissForm({"cache_key": "k1", "reason": "  accepted risk ", "tab": "performance"})
    assert form.is_valid()
    assert form.cleaned_data["reason"] == "accepted risk" and form.cleaned_data["cache_key"] == "k1"
    refused = DismissForm({"cache_key": "k1", "reason": "   "})
    assert not refused.is_valid() and refused.error == REASON_REQUIRED
    assert REASON_REQUIRED == "Say why this finding is acceptable; the reason is kept in the audit trail."


def test_the_way_back_keeps_the_posted_tab_and_branch() -> None:
    assert BackForm({}).back_query() == {}
    assert BackForm({"tab": "performance", "branch": ""}).back_query() == {"tab": "performance"}
    form = RestoreForm({"cache_key": "k", "tab": "security", "branch": "devref"})
    assert form.is_valid() and form.back_query() == {"tab": "security", "branch": "devref"}
