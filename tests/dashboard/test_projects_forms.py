"""The projects section's forms beyond create: the password reveal's box and the typed ref
that pauses or deletes a project; and which organization's regions the create form offers."""

from __future__ import annotations

from platformkit.api.types import Organization
from platformkit.sections.projects.forms import ConfirmRefForm, ProjectCreateForm, RevealPasswordForm


def test_reveal_needs_the_box_ticked() -> None:
    assert RevealPasswordForm({"confirm": "yes"}).is_valid()
    for data in ({}, {"confirm": "on"}, {"confirm": "no"}):
        form = RevealPasswordForm(data)
        assert not form.is_valid() and form.errors["confirm"] == ["Tick the box to see the password."]


def test_pause_and_delete_need_the_project_ref_typed() -> None:
    ref = "abcdefghijklmnopqrst"
    assert ConfirmRefForm({"confirm_ref": f" {ref} "}, action="projects.delete", ref=ref).is_valid()
    refused = ConfirmRefForm({"confirm_ref": "Shop"}, action="projects.delete", ref=ref)
    assert not refused.is_valid() and refused.error == (
        f"This deletes the project and all its data. Type the project ref {ref} to confirm."
    )
    assert refused.typed_ref == "Shop"
    paused = ConfirmRefForm({}, action="projects.pause", ref=ref)
    assert not paused.is_valid() and paused.error.startswith("This pauses production: every connection drops.")


def test_create_offers_the_regions_of_the_posted_organization_else_the_first() -> None:
    orgs = [Organization(id="1", slug="first", name="First"), Organization(id="2", slug="second", name="Second")]
    assert ProjectCreateForm(organizations=orgs).organization_slug() == "first"
    assert ProjectCreateForm({"organization": "second"}, organizations=orgs).organization_slug() == "second"
    assert ProjectCreateForm(organizations=[]).organization_slug() is None
